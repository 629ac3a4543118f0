// Random legal games made with chess.js (an engine independent of the server's chessops), for the
// bots of the socket benchmarks and the chaos run to replay move by move.
import { Chess } from "chess.js";
import { rng } from "./stats.js";

/** A random legal game of 20–80 plies; `ends` when its last move mates or stalemates. */
export interface Script {
  moves: string[];
  ends: boolean;
}

/**
 * Scripts that never reach a draw by rule (the server would end them before their end). chess.js
 * is slow (its verbose moves each compute SAN and two FENs): SAN choices, and a small library.
 */
export function library(count: number, seed = 42): Script[] {
  const random = rng(seed);
  const out: Script[] = [];
  while (out.length < count) {
    const length = 20 + Math.floor(random() * 61);
    const chess = new Chess();
    const moves: string[] = [];
    let legal = chess.moves();
    while (moves.length < length && legal.length > 0 && !drawn(chess)) {
      const m = chess.move(legal[Math.floor(random() * legal.length)]!);
      moves.push(m.from + m.to + (m.promotion ?? ""));
      legal = chess.moves();
    }
    if (!drawn(chess)) out.push({ moves, ends: legal.length === 0 });
  }
  return out;
}

function drawn(chess: Chess): boolean {
  return (
    chess.isInsufficientMaterial() || chess.isThreefoldRepetition() || chess.isDrawByFiftyMoves()
  );
}
