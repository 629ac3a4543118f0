// The rules of chess, on chessops: the only server module that imports it. Pure: positions in, values out.
import {
  Board,
  SquareSet,
  kingCastlesTo,
  makeSquare,
  parseSquare,
  type NormalMove,
  type Role,
  type Setup,
} from "chessops";
import { Chess, castlingSide } from "chessops/chess";
import {
  INITIAL_FEN as CHESSOPS_INITIAL_FEN,
  makeCastlingFen,
  parseCastlingFen,
  parseFen,
} from "chessops/fen";
import { makeSanAndPlay } from "chessops/san";
import type { Color } from "../protocol/types.js";

export type { Color };

export const INITIAL_FEN: string = CHESSOPS_INITIAL_FEN;

export type RulesReason =
  "checkmate" | "stalemate" | "insufficient-material" | "threefold" | "fifty-move";

export interface RulesOutcome {
  reason: RulesReason;
  winner: Color | null;
}

export type PlayResult =
  | {
      ok: true;
      uci: string;
      san: string;
      fen: string;
      repetitionKey: string;
      irreversible: boolean;
      outcome: RulesOutcome | null;
      /** The mover's opponent has mating material (before the move): a fallen flag is a loss. */
      opponentCanMate: boolean;
    }
  | { ok: false; code: "ILLEGAL_MOVE" };

const ILLEGAL: PlayResult = Object.freeze({ ok: false, code: "ILLEGAL_MOVE" } as const);

const UCI_SHAPE = /^[a-h][1-8][a-h][1-8][qrbn]?$/;

const PROMOTION_ROLES: Readonly<Record<string, Role>> = {
  q: "queen",
  r: "rook",
  b: "bishop",
  n: "knight",
};

// FEN reading and writing by hand: chessops' own board parser and writer go through Board.set/get
// square by square, ~7 µs and most of the garbage of a ~25 µs move; these build and read the
// bitboards directly (~1.5 µs), which halves the cost of a move. Anything but a plain six-field FEN
// falls back to chessops' parser, so the set of accepted FENs and their meaning stay chessops' own.
const ROLES: readonly Role[] = ["pawn", "knight", "bishop", "rook", "queen", "king"];
const WHITE_CHARS = "PNBRQK";
const BLACK_CHARS = "pnbrqk";
const ROLE_OF_CHAR = new Int8Array(128).fill(-1);
for (let r = 0; r < 6; r++) {
  ROLE_OF_CHAR[WHITE_CHARS.charCodeAt(r)] = r;
  ROLE_OF_CHAR[BLACK_CHARS.charCodeAt(r)] = r;
}
const COUNTER = /^\d{1,4}$/;

/** FEN placement → Board. lo/hi: the 32-bit halves of 8 bitboards: white, black, then ROLES. */
function readBoard(part: string): Board | undefined {
  const lo = new Int32Array(8);
  const hi = new Int32Array(8);
  let rank = 7;
  let file = 0;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c === 47 /* / */) {
      if (file !== 8 || rank === 0) return undefined;
      rank--;
      file = 0;
    } else if (c >= 49 && c <= 56 /* 1-8 */) {
      if ((file += c - 48) > 8) return undefined;
    } else {
      const role = c < 128 ? ROLE_OF_CHAR[c]! : -1;
      if (role < 0 || file >= 8) return undefined;
      const square = rank * 8 + file++;
      const words = square < 32 ? lo : hi;
      const bit = 1 << (square & 31);
      words[c >= 97 ? 1 : 0]! |= bit;
      words[role + 2]! |= bit;
    }
  }
  if (rank !== 0 || file !== 8) return undefined;
  const board = Board.empty();
  board.white = new SquareSet(lo[0]!, hi[0]!);
  board.black = new SquareSet(lo[1]!, hi[1]!);
  board.occupied = new SquareSet(lo[0]! | lo[1]!, hi[0]! | hi[1]!);
  for (let r = 0; r < 6; r++) board[ROLES[r]!] = new SquareSet(lo[r + 2]!, hi[r + 2]!);
  return board;
}

function writeBoard(board: Board): string {
  const sets = ROLES.map((role) => board[role]);
  let out = "";
  for (let rank = 7; rank >= 0; rank--) {
    const word = (set: SquareSet): number =>
      ((rank >= 4 ? set.hi : set.lo) >>> ((rank & 3) * 8)) & 0xff;
    const row = word(board.occupied);
    const whites = word(board.white);
    let empty = 0;
    for (let file = 0; file < 8; file++) {
      const bit = 1 << file;
      if (!(row & bit)) {
        empty++;
        continue;
      }
      if (empty > 0) out += empty;
      empty = 0;
      let r = 0;
      while (r < 5 && !(word(sets[r]!) & bit)) r++;
      out += whites & bit ? WHITE_CHARS[r] : BLACK_CHARS[r];
    }
    if (empty > 0) out += empty;
    if (rank > 0) out += "/";
  }
  return out;
}

type Six = [string, string, string, string, string, string];

function readPlainSetup(fen: string): Setup | undefined {
  const parts = fen.split(" ");
  if (parts.length !== 6 || (parts[1] !== "w" && parts[1] !== "b")) return undefined;
  const [placement, turn, castling, ep, halfmoves, fullmoves] = parts as Six;
  const board = readBoard(placement);
  const epSquare = ep === "-" ? undefined : parseSquare(ep);
  if (!board || (ep !== "-" && epSquare === undefined)) return undefined;
  if (!COUNTER.test(halfmoves) || !COUNTER.test(fullmoves)) return undefined;
  const castlingRights = parseCastlingFen(board, castling);
  if (castlingRights.isErr) return undefined;
  return {
    board,
    pockets: undefined,
    turn: turn === "w" ? "white" : "black",
    castlingRights: castlingRights.value,
    epSquare,
    remainingChecks: undefined,
    halfmoves: Number(halfmoves),
    fullmoves: Number(fullmoves),
  };
}

/** Parses a FEN into a position that chessops accepts as legal; undefined for anything else. */
function readPosition(fen: string): Chess | undefined {
  if (typeof fen !== "string" || fen.length === 0 || fen.length > 120) return undefined;
  try {
    let setup = readPlainSetup(fen);
    if (!setup) {
      const parsed = parseFen(fen);
      if (parsed.isErr) return undefined;
      setup = parsed.value;
    }
    const pos = Chess.fromSetup(setup);
    return pos.isOk ? pos.value : undefined;
  } catch {
    return undefined;
  }
}

/** As chessops' makeFen for standard chess; the ep square only when an ep capture is legal. */
function writeFen(pos: Chess): string {
  const setup = pos.toSetup();
  const ep = setup.epSquare === undefined ? "-" : makeSquare(setup.epSquare);
  const castling = makeCastlingFen(setup.board, setup.castlingRights);
  const turn = setup.turn === "white" ? "w" : "b";
  return `${writeBoard(setup.board)} ${turn} ${castling} ${ep} ${setup.halfmoves} ${setup.fullmoves}`;
}

/** The first four FEN fields (writeFen gives the ep square only when a capture there is legal). */
function keyOfFen(fen: string): string {
  let at = -1;
  for (let n = 0; n < 4; n++) at = fen.indexOf(" ", at + 1);
  return fen.slice(0, at);
}

function squareAt(uci: string, offset: number): number {
  return uci.charCodeAt(offset) - 97 + 8 * (uci.charCodeAt(offset + 1) - 49);
}

/**
 * Reads a UCI move into the form chessops plays. chessops castles king-to-rook; the wire uses the
 * king's two-square move, so both input forms map to king-to-rook here and back to two-square out.
 */
function readMove(pos: Chess, uci: string): { move: NormalMove; uci: string } | undefined {
  if (typeof uci !== "string" || !UCI_SHAPE.test(uci)) return undefined;
  const from = squareAt(uci, 0);
  const to = squareAt(uci, 2);
  const promotion = uci.length === 5 ? PROMOTION_ROLES[uci[4]!] : undefined;
  const side = castlingSide(pos, { from, to });
  if (side === undefined) return { move: promotion ? { from, to, promotion } : { from, to }, uci };
  const rook = pos.castles.rook[pos.turn][side];
  const kingTo = kingCastlesTo(pos.turn, side);
  // Only the castling rook's square or the king's two-square target mean castling; anything else
  // (a king "capturing" some other own piece) is refused rather than reinterpreted.
  if (promotion || rook === undefined || (to !== rook && to !== kingTo)) return undefined;
  return { move: { from, to: rook }, uci: makeSquare(from) + makeSquare(kingTo) };
}

function threefold(key: string, history: readonly string[]): boolean {
  let seen = 1; // the new position itself
  for (const earlier of history) if (earlier === key && ++seen >= 3) return true;
  return false;
}

/**
 * Plays `uci` on `fen`. `history` = repetition keys of the positions since the last irreversible
 * move, INCLUDING the current position (before this move). Never throws: anything that is not a
 * legal move in a legal position is `ILLEGAL_MOVE`.
 */
export function playMove(fen: string, uci: string, history: readonly string[]): PlayResult {
  const pos = readPosition(fen);
  const read = pos && readMove(pos, uci);
  if (!pos || !read || !pos.isLegal(read.move)) return ILLEGAL;
  const mover = pos.turn;
  const opponentCanMate = !pos.hasInsufficientMaterial(mover === "white" ? "black" : "white");
  const san = makeSanAndPlay(pos, read.move);
  const ctx = pos.ctx();
  const inCheck = ctx.checkers.nonEmpty();
  const canMove = pos.hasDests(ctx);
  const nextFen = writeFen(pos);
  const key = keyOfFen(nextFen);
  let outcome: RulesOutcome | null = null;
  if (!canMove)
    outcome = inCheck
      ? { reason: "checkmate", winner: mover }
      : { reason: "stalemate", winner: null };
  else if (pos.isInsufficientMaterial())
    outcome = { reason: "insufficient-material", winner: null };
  else if (threefold(key, history)) outcome = { reason: "threefold", winner: null };
  else if (pos.halfmoves >= 100) outcome = { reason: "fifty-move", winner: null };
  return {
    ok: true,
    uci: read.uci,
    san,
    fen: nextFen,
    repetitionKey: key,
    irreversible: pos.halfmoves === 0,
    outcome,
    opponentCanMate,
  };
}

/**
 * The identity of a position for repetition (FIDE): placement, side to move, castling rights, and
 * the en-passant square only when an en-passant capture is legal. For an unreadable FEN, the FEN.
 */
export function repetitionKey(fen: string): string {
  const pos = readPosition(fen);
  return pos ? keyOfFen(writeFen(pos)) : fen;
}

/** The side to move, read from the FEN's second field (white unless it says `b`). */
export function turnOf(fen: string): Color {
  const at = fen.indexOf(" ");
  return at >= 0 && fen[at + 1] === "b" ? "black" : "white";
}

/**
 * False when `color` can never deliver mate with its material, whatever the other side does (for a
 * flag fall: the flagged side's opponent cannot mate → draw). An unreadable FEN proves nothing: true.
 */
export function canMate(fen: string, color: Color): boolean {
  const pos = readPosition(fen);
  return pos ? !pos.hasInsufficientMaterial(color) : true;
}

/**
 * Legal destinations per origin square (`{e2: ["e3", "e4"], ...}`), castling as the king's
 * two-square move, as the wire publishes it. Empty for an unreadable FEN or a finished position.
 */
export function legalDests(fen: string): Record<string, string[]> {
  const pos = readPosition(fen);
  const out: Record<string, string[]> = {};
  if (!pos) return out;
  const own = pos.board[pos.turn];
  for (const [from, dests] of pos.allDests()) {
    const list: string[] = [];
    for (const to of dests) {
      const side = own.has(to) ? castlingSide(pos, { from, to }) : undefined;
      list.push(makeSquare(side ? kingCastlesTo(pos.turn, side) : to));
    }
    if (list.length > 0) out[makeSquare(from)] = list;
  }
  return out;
}
