// A takeback, pure: the game as it was before the proposer's last move, rebuilt from its moves
// with the rules (the position, and the repetition history since the last irreversible move) and
// from the recorded clocks (each side's time right after its last kept move). The takeback script
// commits it with a compare-and-set on the ply it was computed from.
import type { Color } from "../protocol/types.js";
import { INITIAL_FEN, playMove, repetitionKey } from "./chess.js";
import { sideToMove } from "./game.js";

export interface TakebackSource {
  ply: number;
  moves: readonly string[];
  san: readonly string[];
  /** The mover's remaining ms after each ply. */
  clocks: readonly number[];
  initialMs: number;
}

export interface TakebackTarget {
  ply: number;
  fen: string;
  reps: string[];
  moves: string[];
  san: string[];
  clocks: number[];
  whiteMs: number;
  blackMs: number;
}

/** The ply before `proposer`'s last move: one back when the opponent is to move, else two. */
export function takebackPly(ply: number, proposer: Color): number {
  return sideToMove(ply) === proposer ? ply - 2 : ply - 1;
}

export function takebackTarget(game: TakebackSource, proposer: Color): TakebackTarget | null {
  const ply = takebackPly(game.ply, proposer);
  if (ply < 0 || ply > game.moves.length) return null;
  let fen = INITIAL_FEN;
  let reps = [repetitionKey(fen)];
  for (const uci of game.moves.slice(0, ply)) {
    const played = playMove(fen, uci, reps);
    if (!played.ok) return null; // a stored game the rules do not accept: refuse, change nothing
    fen = played.fen;
    reps = played.irreversible ? [played.repetitionKey] : [...reps, played.repetitionKey];
  }
  const clocks = game.clocks.slice(0, ply);
  // A side that has not moved by then has its initial time (no clock ran for it).
  const lastOf = (color: Color) => {
    const first = color === "white" ? 0 : 1;
    let i = ply - 1;
    if (sideToMove(i) !== color) i -= 1;
    return i >= first && clocks[i] !== undefined ? clocks[i]! : game.initialMs;
  };
  return {
    ply,
    fen,
    reps,
    moves: game.moves.slice(0, ply),
    san: game.san.slice(0, ply),
    clocks,
    whiteMs: lastOf("white"),
    blackMs: lastOf("black"),
  };
}
