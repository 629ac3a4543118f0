// Real move sequences for tests, from chess.js (an implementation independent of the server's
// chessops): UCI, SAN, final FEN and believable clocks, plus the wire game object they make.
import { Chess } from "chess.js";
import { parseTimeControl } from "../../src/domain/time-control.js";
import type { Color, Game, GamePlayer, GameReason, GameResult } from "../../src/protocol/types.js";

export interface PlayedMoves {
  uci: string[];
  san: string[];
  fen: string;
  /** Remaining ms of the mover after each move: no clock runs before both first moves. */
  clocks: number[];
  whiteMs: number;
  blackMs: number;
}

export const SCHOLARS_MATE = ["e4", "e5", "Bc4", "Nc6", "Qh5", "Nf6", "Qxf7#"];
/** Castling both ways, an en-passant capture, a promotion and a check, for PGN round-trips. */
export const TRICKY_GAME = [
  "e4",
  "d5",
  "e5",
  "f5",
  "exf6",
  "Nc6",
  "fxg7",
  "Be6",
  "Nf3",
  "Qd6",
  "Bb5",
  "O-O-O",
  "O-O",
  "Nf6",
  "gxh8=Q",
  "Qxh2+",
  "Kxh2",
];

/** Plays SAN moves from the initial position; throws on an illegal one (a broken fixture). */
export function playSan(sans: readonly string[], timeControl = "3+2"): PlayedMoves {
  const tc = parseTimeControl(timeControl)!;
  const chess = new Chess();
  const out: PlayedMoves = {
    uci: [],
    san: [],
    fen: "",
    clocks: [],
    whiteMs: tc.initialMs,
    blackMs: tc.initialMs,
  };
  sans.forEach((san, ply) => {
    const move = chess.move(san);
    out.uci.push(move.from + move.to + (move.promotion ?? ""));
    out.san.push(move.san);
    const side = ply % 2 === 0 ? "whiteMs" : "blackMs";
    // A made-up but plausible think time; the increment follows every move but each side's first.
    if (ply >= 2)
      out[side] = Math.max(0, out[side] - (700 + ((ply * 389) % 4_000)) + tc.incrementMs);
    out.clocks.push(out[side]);
  });
  out.fen = chess.fen();
  return out;
}

/** A random legal game of up to `plies` half-moves, the same for the same seed. */
export function randomSan(plies: number, seed: number): string[] {
  const chess = new Chess();
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  const out: string[] = [];
  for (let i = 0; i < plies && !chess.isGameOver(); i++) {
    const moves = chess.moves();
    const san = moves[Math.floor(next() * moves.length)]!;
    chess.move(san);
    out.push(san);
  }
  return out;
}

export interface GameSpec {
  id: string;
  white: GamePlayer;
  black: GamePlayer;
  rated: boolean;
  timeControl?: string;
  san: readonly string[];
  result: GameResult | null;
  reason: GameReason;
  winner: Color | null;
  createdAt: number;
  endedAt: number;
}

/** The finished game as the wire shows it, and its clocks. */
export function endedGame(spec: GameSpec): { game: Game; clocks: number[] } {
  const tc = parseTimeControl(spec.timeControl ?? "3+2")!;
  const played = playSan(spec.san, tc.label);
  const ply = played.san.length;
  const game: Game = {
    id: spec.id,
    rated: spec.rated,
    timeControl: tc,
    white: spec.white,
    black: spec.black,
    fen: played.fen,
    ply,
    moves: played.uci,
    san: played.san,
    turn: ply % 2 === 0 ? "white" : "black",
    clock: {
      whiteMs: played.whiteMs,
      blackMs: played.blackMs,
      running: false,
      serverTime: spec.endedAt,
    },
    drawOffer: null,
    status: "ended",
    result: spec.result,
    reason: spec.reason,
    winner: spec.winner,
    createdAt: spec.createdAt,
    endedAt: spec.endedAt,
    // One event per move, then GAME_OVER (the fixtures have no draw offers).
    v: ply + 1,
  };
  return { game, clocks: played.clocks };
}
