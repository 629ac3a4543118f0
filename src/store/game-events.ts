// Publishing what a committed game transition changed. Every event is sent only after its commit,
// through the Socket.IO Redis adapter: one publish per event, to the rooms of PROTOCOL.md.
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

type Ctx = Pick<AppContext, "io">;

function emit(ctx: Ctx, to: string | string[], action: ServerAction): void {
  ctx.io?.to(to).emit("action", action);
}

/** Game events go to the game room: the players' sockets join it on connection and PLAYER_READY. */
export function publishToGame<
  T extends "client/UPDATE_GAME" | "client/OFFER_DRAW" | "client/DRAW_DECLINED",
>(ctx: Ctx, gameId: string, type: T, payload: ServerEvents[T]): void {
  emit(ctx, rooms.game(gameId), { type, payload } as ServerAction);
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

/** GAME_OVER reaches the players' own rooms too, so a socket that missed the game room still ends. */
export function publishGameOver(ctx: Ctx, meta: GameMeta, end: EndInfo): void {
  emit(ctx, [rooms.game(meta.id), rooms.user(meta.whiteId), rooms.user(meta.blackId)], {
    type: "client/GAME_OVER",
    payload: {
      gameId: meta.id,
      result: end.result === "" ? null : end.result,
      reason: end.reason,
      winner: end.winner === "" ? null : end.winner,
      ratingDiff: ratingDiffOf(meta, end.result),
    },
  });
}
