// Game transitions, pure: who may do what to a live game, checked in the order PROTOCOL.md gives,
// and the rules step of a move. Time-dependent parts (clock, flag, first-move abort) are applied
// in the same atomic commit in Redis, with Redis TIME; see src/store/lua/game-*.lua.
import type { Color, GameResult } from "../protocol/types.js";
import { canMate, playMove, repetitionKey, type PlayResult } from "./chess.js";

/** What a transition needs to know of a live game. */
export interface GameView {
  id: string;
  status: "started" | "ended";
  ply: number;
  /**
   * How many takebacks the game has had: a takeback lowers the ply, so a position is named by
   * both (`positionStamp`), and a step is committed only on the position it was planned on.
   */
  takebacks: number;
  fen: string;
  /** Repetition keys since the last irreversible move, the current position last. */
  reps: readonly string[];
  drawOffer: Color | null;
  whiteId: string;
  blackId: string;
}

export type Refusal<C extends string> = { ok: false; code: C };

export type MovePlan = Omit<Extract<PlayResult, { ok: true }>, "opponentCanMate"> & {
  color: Color;
  /** The mover's opponent cannot mate: if the mover's flag has fallen, the game is drawn. */
  moverFlagIsDraw: boolean;
};

export type MoveRefusal =
  "NOT_YOUR_GAME" | "GAME_OVER" | "STALE_PLY" | "FUTURE_PLY" | "NOT_YOUR_TURN" | "ILLEGAL_MOVE";

/** What a commit compares with the live game (game-common.lua `stamp`). */
export const positionStamp = (view: Pick<GameView, "ply" | "takebacks">): string =>
  `${view.ply}:${view.takebacks}`;

export const opposite = (color: Color): Color => (color === "white" ? "black" : "white");
export const sideToMove = (ply: number): Color => (ply % 2 === 0 ? "white" : "black");

/** The result of a game won by `winner`, or drawn. */
export const resultOf = (winner: Color | null): GameResult =>
  winner === null ? "1/2-1/2" : winner === "white" ? "1-0" : "0-1";

export function colorOf(view: Pick<GameView, "whiteId" | "blackId">, userId: string): Color | null {
  if (view.whiteId === userId) return "white";
  if (view.blackId === userId) return "black";
  return null;
}

export function planMove(
  view: GameView,
  userId: string,
  uci: string,
  ply: number,
): MovePlan | Refusal<MoveRefusal> {
  const color = colorOf(view, userId);
  if (color === null) return { ok: false, code: "NOT_YOUR_GAME" };
  if (view.status !== "started") return { ok: false, code: "GAME_OVER" };
  if (ply < view.ply) return { ok: false, code: "STALE_PLY" };
  if (ply > view.ply) return { ok: false, code: "FUTURE_PLY" };
  if (sideToMove(view.ply) !== color) return { ok: false, code: "NOT_YOUR_TURN" };
  const played = playMove(view.fen, uci, view.reps);
  if (!played.ok) return { ok: false, code: "ILLEGAL_MOVE" };
  return {
    ok: true,
    color,
    uci: played.uci,
    san: played.san,
    fen: played.fen,
    repetitionKey: played.repetitionKey,
    irreversible: played.irreversible,
    outcome: played.outcome,
    moverFlagIsDraw: !played.opponentCanMate,
  };
}

export type GameAction =
  "offer" | "decline" | "resign" | "give" | "takeback" | "decline-takeback" | "claim";
export type ActionRefusal =
  "NOT_YOUR_GAME" | "GAME_OVER" | "NO_DRAW_OFFER" | "NO_MOVE_TO_TAKE_BACK" | "OPPONENT_PRESENT";

export interface ActionPlan {
  ok: true;
  color: Color;
  /** The side to move's opponent cannot mate: a flag falling now would be a draw. */
  flagIsDraw: boolean;
}

/** `takebackOffer`: the side whose takeback proposal is pending (a takeback then accepts it). */
export function planAction(
  view: GameView,
  userId: string,
  action: GameAction,
  takebackOffer: Color | null = null,
): ActionPlan | Refusal<ActionRefusal> {
  const color = colorOf(view, userId);
  if (color === null) return { ok: false, code: "NOT_YOUR_GAME" };
  if (view.status !== "started") return { ok: false, code: "GAME_OVER" };
  if (action === "decline" && view.drawOffer !== opposite(color)) {
    return { ok: false, code: "NO_DRAW_OFFER" };
  }
  // One's own last move: white has one from ply 1 on, black from ply 2 on. Accepting the
  // opponent's proposal takes back the opponent's move instead.
  const accepts = takebackOffer === opposite(color);
  if (action === "takeback" && !accepts && view.ply < (color === "white" ? 1 : 2)) {
    return { ok: false, code: "NO_MOVE_TO_TAKE_BACK" };
  }
  if (action === "claim" && view.ply < 2) return { ok: false, code: "OPPONENT_PRESENT" };
  return { ok: true, color, flagIsDraw: flagIsDraw(view) };
}

/** Whether the side to move flagging now is a draw (its opponent has no mating material). */
export function flagIsDraw(view: Pick<GameView, "fen" | "ply">): boolean {
  return !canMate(view.fen, opposite(sideToMove(view.ply)));
}

/** What a committed move changed, as its client/UPDATE_GAME tells it. */
export interface MoveUpdate {
  ply: number;
  fen: string;
  drawOffer: Color | null;
}

/**
 * The view after a committed move: the one step that advances a game as the instance holds it,
 * after its own commit and on every UPDATE_GAME of the game's channel alike. A halfmove clock of 0
 * marks an irreversible move (a capture or a pawn move): repetitions start afresh. After its own
 * commit the instance passes its plan, which already holds both, so the FEN is not read again.
 */
export function viewAfterMove(
  view: GameView,
  update: MoveUpdate,
  played?: Pick<MovePlan, "repetitionKey" | "irreversible">,
): GameView {
  const key = played?.repetitionKey ?? repetitionKey(update.fen);
  const irreversible = played?.irreversible ?? update.fen.split(" ")[4] === "0";
  return {
    ...view,
    ply: update.ply,
    fen: update.fen,
    reps: irreversible ? [key] : [...view.reps, key],
    drawOffer: update.drawOffer,
  };
}
