// What follows a game's end, outside the game's own slot. The step that ends a game (game-common
// end_game) writes only the game's slot, and there schedules `ended:<id>` in the game's deadlines
// bucket: the durable intent of the rest. That rest is steps of their own, each idempotent: each
// player still `playing` this game becomes idle (free-player-1.lua, in the player's slot), then the
// game is queued for archiving (the archive stream's slot; archiving is exactly-once, so a second
// entry of a game changes nothing), then the intent is dropped. The instance that ended the game
// runs them at once; if it dies first, the intent falls due and any instance's deadline poller
// runs them (jobs/index.ts). Between the steps a player is `playing` a game that is over: never in
// two places, and any step that needs the player idle frees it first (freeIfOver).
import type { AppContext } from "../context.js";
import type { StoredLiveState } from "./live-state.js";
import { LuaScript } from "./lua-script.js";
import { durable } from "./replication.js";

const freeScript = LuaScript.load("free-player-1");

type Ctx = Pick<AppContext, "redis" | "keys">;

export const ENDED_KIND = "ended";

/** Runs the follow-up of the ended game `gameId`; a game not found (long archived) leaves nothing to do. */
export async function finishEndedGame(ctx: Ctx, gameId: string): Promise<void> {
  const k = ctx.keys;
  const [status, white, black] = await ctx.redis.hmGet(k.game(gameId), [
    "status",
    "white",
    "black",
  ]);
  if (status !== null && status !== "started") {
    const seats = [white, black].filter((seat): seat is string => typeof seat === "string");
    await Promise.all(
      seats.map((seat) =>
        freeScript.run(ctx.redis, [k.live((JSON.parse(seat) as { id: string }).id)], [gameId]),
      ),
    );
    await ctx.redis.xAdd(k.archive, "*", { gameId });
    await durable(ctx.redis, k.archive);
  }
  await ctx.redis.zRem(k.deadlinesOf(gameId), `${ENDED_KIND}:${gameId}`);
}

/**
 * Frees a user told `playing` a game that is over (or gone): its follow-up has not run yet. True
 * when the game was over, so that the caller's step, refused as busy, may be tried again.
 */
export async function freeIfOver(
  ctx: Ctx,
  userId: string,
  state: StoredLiveState,
): Promise<boolean> {
  if (state.status !== "playing") return false;
  const status = await ctx.redis.hGet(ctx.keys.game(state.gameId), "status");
  if (status === "started") return false;
  await freeScript.run(ctx.redis, [ctx.keys.live(userId)], [state.gameId]);
  return true;
}
