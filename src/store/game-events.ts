// Publishing what a committed game transition changed, only after its commit. A game's events go
// to its own sharded channel (keys.gameEvents), so they reach every instance with a socket in the
// game room in the order they were committed; the move script publishes client/UPDATE_GAME there
// itself, atomically with the move. Instances forward the channel to their sockets
// (realtime/game-channels.ts).
import type { AppContext } from "../context.js";
import { rateGame, scoreOf } from "../domain/ratings.js";
import type { ServerAction, ServerEvents } from "../protocol/types.js";
import type { EndInfo } from "./game-commands.js";
import { rooms } from "./keys.js";
import type { Glicko } from "./users.js";

/** What the publisher needs to know of a game beyond the commit's reply. */
export interface GameMeta {
  id: string;
  whiteId: string;
  blackId: string;
  rated: boolean;
  whiteGlicko: Glicko | null;
  blackGlicko: Glicko | null;
}

type Ctx = Pick<AppContext, "io" | "redis" | "keys" | "log">;

/** A game's own events: draw offers and declines, and the end (UPDATE_GAME is the move script's). */
export type GameEvent = Extract<
  ServerAction,
  { type: "client/UPDATE_GAME" | "client/OFFER_DRAW" | "client/DRAW_DECLINED" | "client/GAME_OVER" }
>;

/**
 * To the game room, on every instance: the players' sockets join it on connection and
 * PLAYER_READY. Never rejects: the transition is committed already, and a player who misses the
 * event (Redis went away in between) gets the whole game on reconnecting or on PLAYER_READY.
 */
export async function publishToGame(ctx: Ctx, gameId: string, action: GameEvent): Promise<void> {
  try {
    await ctx.redis.sPublish(ctx.keys.gameEvents(gameId), JSON.stringify(action));
  } catch (err) {
    ctx.log.warn({ err, gameId, type: action.type }, "game event not published");
  }
}

/**
 * The rating change of a finished rated game. Deterministic from the ratings at game start and
 * the result, so the archiver computes and applies exactly this value.
 */
export function ratingDiffOf(
  meta: GameMeta,
  result: EndInfo["result"],
): ServerEvents["client/GAME_OVER"]["ratingDiff"] {
  if (!meta.rated || result === "" || meta.whiteGlicko === null || meta.blackGlicko === null)
    return null;
  return rateGame(meta.whiteGlicko, meta.blackGlicko, scoreOf(result)).diff;
}

/** The client/GAME_OVER of a game that ended so. */
export function gameOverEvent(
  meta: GameMeta,
  end: Pick<EndInfo, "result" | "reason" | "winner">,
): GameEvent {
  return {
    type: "client/GAME_OVER",
    payload: {
      gameId: meta.id,
      result: end.result === "" ? null : end.result,
      reason: end.reason,
      winner: end.winner === "" ? null : end.winner,
      ratingDiff: ratingDiffOf(meta, end.result),
    },
  };
}

/** GAME_OVER to the players' sockets outside the game room, through their own rooms. */
export function sendGameOverOutsideRoom(ctx: Ctx, meta: GameMeta, event: GameEvent): void {
  ctx.io
    ?.to([rooms.user(meta.whiteId), rooms.user(meta.blackId)])
    .except(rooms.game(meta.id))
    .emit("action", event);
}

/**
 * GAME_OVER goes to the game room after the game's other events, and to the players' own rooms
 * (through the Socket.IO adapter) for a socket of theirs that is not in the game room.
 */
export async function publishGameOver(ctx: Ctx, meta: GameMeta, end: EndInfo): Promise<void> {
  const event = gameOverEvent(meta, end);
  sendGameOverOutsideRoom(ctx, meta, event);
  await publishToGame(ctx, meta.id, event);
}
