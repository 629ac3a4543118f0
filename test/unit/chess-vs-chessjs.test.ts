// Random legal games played through src/domain/chess.ts and chess.js side by side: an independent
// second implementation must agree on every legal move list, SAN, FEN and ending.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Chess as ChessJs, type Square } from "chess.js";
import {
  INITIAL_FEN,
  legalDests,
  playMove,
  repetitionKey,
  turnOf,
} from "../../src/domain/chess.js";

type RulesLike = { reason: string; winner: string | null } | null;

/** mulberry32: a small seeded PRNG, so the random games are the same on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What chess.js says about the position after a move (with `count` legal replies), in this module's priority order. */
function chessJsOutcome(js: ChessJs, count: number, mover: string): RulesLike {
  if (count === 0)
    return js.inCheck()
      ? { reason: "checkmate", winner: mover }
      : { reason: "stalemate", winner: null };
  if (js.isInsufficientMaterial()) return { reason: "insufficient-material", winner: null };
  if (js.isThreefoldRepetition()) return { reason: "threefold", winner: null };
  if (js.isDrawByFiftyMoves()) return { reason: "fifty-move", winner: null };
  return null;
}

/** Our legal moves as UCI, promotions spelled out, to compare with chess.js move for move. */
function ourMoves(fen: string, js: ChessJs): string[] {
  return Object.entries(legalDests(fen)).flatMap(([from, tos]) =>
    tos.flatMap((to) => {
      const promotes = js.get(from as Square)?.type === "p" && (to[1] === "8" || to[1] === "1");
      return promotes ? ["q", "r", "b", "n"].map((p) => from + to + p) : [from + to];
    }),
  );
}

// Random play, leaning to captures 30% of the time so that 200 games (~38,000 plies) reach every
// kind of ending. chess.js builds SAN and two FENs for every verbose move (~3 ms a position), so
// the full move list is compared on every 50th ply, and the count (its perft(1)) on every ply.
test("200 random legal games agree with chess.js: moves, SAN, FEN, endings", (t) => {
  const random = prng(20240601);
  const reasons: Record<string, number> = {};
  let plies = 0;
  for (let game = 0; game < 200; game++) {
    const js = new ChessJs();
    let fen = INITIAL_FEN;
    let history = [repetitionKey(fen)];
    let count = js.perft(1);
    for (;;) {
      const ours = ourMoves(fen, js);
      assert.equal(ours.length, count, fen);
      if (plies % 50 === 0)
        assert.deepEqual(
          ours.sort(),
          js
            .moves({ verbose: true })
            .map((m) => m.lan)
            .sort(),
          fen,
        );
      const captures = ours.filter((uci) => js.get(uci.slice(2, 4) as Square) !== undefined);
      const pool = captures.length > 0 && random() < 0.3 ? captures : ours;
      const pick = pool[Math.floor(random() * pool.length)]!;
      const mover = turnOf(fen);
      const m = js.move({ from: pick.slice(0, 2), to: pick.slice(2, 4), promotion: pick[4] });
      plies++;
      // Send castling as king-takes-rook half the time: the published form must not change.
      const rank = m.from[1];
      const rookForm = m.isKingsideCastle()
        ? `${m.from}h${rank}`
        : m.isQueensideCastle()
          ? `${m.from}a${rank}`
          : null;
      const r = playMove(fen, rookForm && random() < 0.5 ? rookForm : m.lan, history);
      assert.ok(r.ok, `${m.lan} in ${fen}`);
      assert.equal(r.uci, m.lan, fen);
      assert.equal(r.san, m.san, fen);
      assert.equal(r.fen, js.fen(), `after ${m.san} from ${fen}`);
      assert.equal(r.repetitionKey, repetitionKey(r.fen));
      assert.equal(r.irreversible, m.isCapture() || m.piece === "p");
      count = js.perft(1);
      assert.deepEqual(r.outcome, chessJsOutcome(js, count, mover), `after ${m.san} from ${fen}`);
      if (r.outcome) {
        reasons[r.outcome.reason] = (reasons[r.outcome.reason] ?? 0) + 1;
        break;
      }
      history = r.irreversible ? [r.repetitionKey] : [...history, r.repetitionKey];
      fen = r.fen;
    }
  }
  // The sample must reach the endings it claims to check, not just long middlegames.
  for (const reason of [
    "checkmate",
    "stalemate",
    "insufficient-material",
    "threefold",
    "fifty-move",
  ]) {
    assert.ok(
      (reasons[reason] ?? 0) > 0,
      `no random game ended by ${reason}: ${JSON.stringify(reasons)}`,
    );
  }
  assert.ok(plies > 20_000, `${plies} plies`);
  t.diagnostic(`${plies} plies, endings ${JSON.stringify(reasons)}`);
});
