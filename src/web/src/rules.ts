// The client's chess rules, on chessops: legal destinations for the board, the promotion check,
// moves in the wire's UCI form, and SAN for replays.
import type { Key } from "@lichess-org/chessground/types";
import { Chess, castlingSide, normalizeMove } from "chessops/chess";
import { chessgroundDests } from "chessops/compat";
import { INITIAL_FEN, makeFen, parseFen } from "chessops/fen";
import { makeSan, parseSan } from "chessops/san";
import type { Role } from "chessops/types";
import { makeSquare, parseSquare, parseUci } from "chessops/util";

export type Position = Chess;

export function positionOf(fen: string): Position | null {
  const setup = parseFen(fen);
  if (setup.isErr) return null;
  const pos = Chess.fromSetup(setup.value);
  return pos.isOk ? pos.value : null;
}

export function destsOf(pos: Position): Map<Key, Key[]> {
  return chessgroundDests(pos);
}

/** A pawn reaching the last rank: the player must pick a piece. */
export function isPromotion(pos: Position, orig: string, dest: string): boolean {
  const from = parseSquare(orig);
  const to = parseSquare(dest);
  if (from === undefined || to === undefined) return false;
  const piece = pos.board.get(from);
  return piece?.role === "pawn" && (dest[1] === "8" || dest[1] === "1");
}

const roleChar: Partial<Record<Role, string>> = { queen: "q", rook: "r", bishop: "b", knight: "n" };

/**
 * The move as the server wants it: castling as the king's two-square move (the board also lets the
 * king take its own rook), promotions with a suffix. Null when the move is illegal.
 */
export function wireUci(
  pos: Position,
  orig: string,
  dest: string,
  promotion?: Role,
): string | null {
  const raw = parseUci(orig + dest + (promotion ? (roleChar[promotion] ?? "") : ""));
  if (raw === undefined) return null;
  const move = normalizeMove(pos, raw);
  if (!pos.isLegal(move)) return null;
  const side = castlingSide(pos, move);
  if (side !== undefined) return orig + (side === "h" ? "g" : "c") + orig[1];
  return orig + dest + (promotion ? (roleChar[promotion] ?? "") : "");
}

/** One step of a replay: the position after a move, the move's SAN and squares. */
export interface ReplayStep {
  fen: string;
  san: string;
  lastMove: [Key, Key];
  check: boolean;
}

/** Plays a game's UCI moves from the start; stops at the first move it cannot play. */
export function replay(moves: readonly string[], startFen: string = INITIAL_FEN): ReplayStep[] {
  const pos = positionOf(startFen);
  if (pos === null) return [];
  const steps: ReplayStep[] = [];
  for (const uci of moves) {
    const raw = parseUci(uci);
    if (raw === undefined) break;
    const move = normalizeMove(pos, raw);
    if (!pos.isLegal(move)) break;
    const san = makeSan(pos, move);
    pos.play(move);
    const lastMove = [uci.slice(0, 2), uci.slice(2, 4)] as [Key, Key];
    steps.push({ fen: makeFen(pos.toSetup()), san, lastMove, check: pos.isCheck() });
  }
  return steps;
}

/** A move typed by a keyboard player, SAN ("Nf3", "O-O", "e8=Q") or UCI ("g1f3"), as wire UCI. */
export function typedMove(pos: Position, text: string): string | null {
  const trimmed = text.trim();
  const uci = /^([a-h][1-8])([a-h][1-8])([qrbn])?$/i.exec(trimmed);
  if (uci) {
    const promo = uci[3]
      ? ({ q: "queen", r: "rook", b: "bishop", n: "knight" } as const)[uci[3].toLowerCase() as "q"]
      : undefined;
    return wireUci(pos, uci[1]!.toLowerCase(), uci[2]!.toLowerCase(), promo);
  }
  const move = parseSan(pos, trimmed);
  if (move === undefined || !("from" in move)) return null;
  return wireUci(pos, makeSquare(move.from), makeSquare(move.to), move.promotion);
}

export { INITIAL_FEN };
