// Starts a live game between two users directly in Redis, as the matchmaking accept step does,
// so game tests do not depend on matchmaking: the game in its slot, then each player in its own
// (so that it also runs on a Redis Cluster).
import assert from "node:assert/strict";
import type { AppContext } from "../../src/context.js";
import { positionStamp } from "../../src/domain/game.js";
import { parseTimeControl } from "../../src/domain/time-control.js";
import { newBucketedId } from "../../src/store/buckets.js";
import { loadLiveGame } from "../../src/store/game-commands.js";
import { newGameFields } from "../../src/store/game-store.js";
import { LuaScript } from "../../src/store/lua-script.js";
import type { TimeControl } from "../../src/protocol/types.js";
import type { Glicko } from "../../src/store/users.js";

export interface StartGameOptions {
  timeControl?: TimeControl | string;
  rated?: boolean;
  firstMoveMs?: number;
  whiteGlicko?: Glicko;
  blackGlicko?: Glicko;
}

export async function startGame(
  ctx: Pick<AppContext, "redis" | "keys" | "config">,
  white: { id: string; username: string },
  black: { id: string; username: string },
  opts: StartGameOptions = {},
): Promise<string> {
  const tc =
    typeof opts.timeControl === "object"
      ? opts.timeControl
      : parseTimeControl(opts.timeControl ?? "3+2")!;
  const id = newBucketedId();
  const rated = opts.rated ?? false;
  const fields = newGameFields({
    id,
    rated,
    timeControl: tc,
    white: { ...white, rating: Math.round(opts.whiteGlicko?.rating ?? 1500) },
    black: { ...black, rating: Math.round(opts.blackGlicko?.rating ?? 1500) },
    whiteGlicko: rated
      ? (opts.whiteGlicko ?? { rating: 1500, deviation: 350, volatility: 0.06 })
      : null,
    blackGlicko: rated
      ? (opts.blackGlicko ?? { rating: 1500, deviation: 350, volatility: 0.06 })
      : null,
  });
  const [seconds, micros] = await ctx.redis.time().then((t) => [Number(t[0]), Number(t[1])]);
  const now = seconds! * 1000 + Math.floor(micros! / 1000);
  const deadline = now + (opts.firstMoveMs ?? ctx.config.FIRST_MOVE_MS);
  const k = ctx.keys;
  await ctx.redis
    .multi()
    .hSet(k.game(id), [
      ...fields,
      "createdAt",
      String(now),
      "serverTime",
      String(now),
      "deadline",
      String(deadline),
    ])
    .zAdd(k.deadlinesOf(id), { score: deadline, value: `game:${id}` })
    .exec();
  const playing = JSON.stringify({ status: "playing", gameId: id });
  await Promise.all([
    ctx.redis.set(k.live(white.id), playing),
    ctx.redis.set(k.live(black.id), playing),
  ]);
  return id;
}

const actionScript = LuaScript.load("game-action-4", ["game-common"]);

/** White resigns by the game's own step alone: no follow-up, as if the instance died after it. */
export async function resignAlone(
  ctx: Pick<AppContext, "redis" | "keys">,
  gameId: string,
): Promise<void> {
  const view = (await loadLiveGame(ctx, gameId))!;
  const k = ctx.keys;
  const reply = (await actionScript.run(
    ctx.redis,
    [k.game(gameId), k.deadlinesOf(gameId), k.gameLog(gameId), k.gamePresence(gameId)],
    [positionStamp(view), "resign", "white", "0", "0", 0, 0, k.gameEvents(gameId)],
  )) as string;
  assert.equal((JSON.parse(reply) as { code: string }).code, "OK", reply);
}
