// The newest live games, for the watch page: the game-creating scripts add each new game to a
// capped sorted set (game-created.lua); a listing reads it newest first and removes the games it
// finds over, so the list costs no scan of Redis keys and no work in the game scripts.
import type { AppContext } from "../context.js";
import type { Game } from "../protocol/types.js";
import { recordFromHash } from "./game-store.js";

type Ctx = Pick<AppContext, "redis" | "keys">;

/** A listing reads at most this many batches; games found over are gone for the next one. */
const MAX_BATCHES = 4;

export async function listLiveGames(ctx: Ctx, limit: number): Promise<Game[]> {
  const key = ctx.keys.liveGames;
  const games: Game[] = [];
  let offset = 0;
  for (let batch = 0; batch < MAX_BATCHES && games.length < limit; batch++) {
    const ids = await ctx.redis.zRange(key, offset, offset + limit - 1, { REV: true });
    if (ids.length === 0) break;
    const hashes = await Promise.all(ids.map((id) => ctx.redis.hGetAll(ctx.keys.game(id))));
    const over: string[] = [];
    hashes.forEach((h, i) => {
      if (h.id !== undefined && h.status === "started") games.push(recordFromHash(h).game);
      else over.push(ids[i]!);
    });
    if (over.length > 0) await ctx.redis.zRem(key, over);
    offset += ids.length - over.length;
    if (ids.length < limit) break;
  }
  return games.slice(0, limit);
}
