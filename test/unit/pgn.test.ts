import assert from "node:assert/strict";
import { test } from "node:test";
import { Chess } from "chess.js";
import { formatClock, terminationOf, toPgn } from "../../src/domain/pgn.js";
import {
  endedGame,
  randomSan,
  SCHOLARS_MATE,
  TRICKY_GAME,
  type GameSpec,
} from "../helpers/chess-fixtures.js";

const CREATED = Date.UTC(2024, 2, 9, 14, 5, 7);

function spec(overrides: Partial<GameSpec> = {}): GameSpec {
  return {
    id: "g1",
    white: { id: "w", username: "alice", rating: 1523.4 },
    black: { id: "b", username: "bob_2", rating: 1480 },
    rated: true,
    san: SCHOLARS_MATE,
    result: "1-0",
    reason: "checkmate",
    winner: "white",
    createdAt: CREATED,
    endedAt: CREATED + 60_000,
    ...overrides,
  };
}

function pgnOf(s: GameSpec, ratingDiff: { white: number; black: number } | null = null): string {
  const { game, clocks } = endedGame(s);
  return toPgn({ game, clocks, site: "http://chess.test/api/games/g1", ratingDiff });
}

test("a checkmate game: seven-tag roster, lichess tags and %clk comments", () => {
  const pgn = pgnOf(spec(), { white: 7, black: -7 });
  const [head, moves] = pgn.split("\n\n");
  assert.deepEqual(head!.split("\n").slice(0, 7), [
    '[Event "Rated Blitz game"]',
    '[Site "http://chess.test/api/games/g1"]',
    '[Date "2024.03.09"]',
    '[Round "-"]',
    '[White "alice"]',
    '[Black "bob_2"]',
    '[Result "1-0"]',
  ]);
  for (const t of [
    '[UTCTime "14:05:07"]',
    '[WhiteElo "1523"]',
    '[BlackElo "1480"]',
    '[TimeControl "180+2"]',
  ]) {
    assert.ok(head!.includes(t), `missing ${t}`);
  }
  assert.ok(head!.includes('[Termination "Normal"]'));
  assert.ok(head!.includes('[WhiteRatingDiff "+7"]') && head!.includes('[BlackRatingDiff "-7"]'));
  assert.match(
    moves!,
    /^1\. e4 \{ \[%clk 0:03:00\] \} 1\.\.\. e5 \{ \[%clk 0:03:00\] \} 2\. Bc4 \{ \[%clk 0:0\d:\d\d\] \}/,
  );
  assert.match(moves!, /Qxf7# \{ \[%clk 0:0\d:\d\d\] \} 1-0\n$/);
});

test("the PGN round-trips through chess.js: same moves, same result, same clocks", () => {
  for (const san of [SCHOLARS_MATE, TRICKY_GAME, randomSan(120, 7), randomSan(200, 99)]) {
    const s = spec({ san, result: "0-1", reason: "resign", winner: "black" });
    const { clocks } = endedGame(s);
    const chess = new Chess();
    chess.loadPgn(pgnOf(s));
    assert.deepEqual(chess.history(), endedGame(s).game.san);
    assert.equal(chess.getHeaders().Result, "0-1");
    const shown = chess.getComments().map((c) => c.comment.trim());
    assert.deepEqual(
      shown,
      clocks.map((ms) => `[%clk ${formatClock(ms)}]`),
    );
  }
});

test("Termination and Result follow the end: time forfeit, a draw, an abort, a live game", () => {
  const timeout = pgnOf(spec({ result: "0-1", reason: "timeout", winner: "black" }));
  assert.ok(timeout.includes('[Termination "Time forfeit"]') && timeout.includes('[Result "0-1"]'));
  const draw = pgnOf(
    spec({ san: ["e4", "e5"], result: "1/2-1/2", reason: "agreement", winner: null }),
  );
  assert.ok(draw.includes('[Result "1/2-1/2"]') && draw.trimEnd().endsWith("1/2-1/2"));
  const aborted = pgnOf(
    spec({ san: ["e4"], rated: false, result: null, reason: "aborted", winner: null }),
  );
  assert.ok(
    aborted.includes('[Termination "Abandoned"]') &&
      aborted.includes('[Event "Casual Blitz game"]'),
  );
  assert.ok(aborted.includes('[Result "*"]') && aborted.trimEnd().endsWith("*"));
  assert.equal(terminationOf({ status: "started", reason: null }), "Unterminated");
});

test("a game without moves is just its result; tag values are escaped", () => {
  const pgn = pgnOf(spec({ san: [], white: { id: "w", username: 'a"b\\c', rating: 1500 } }));
  assert.ok(pgn.includes('[White "a\\"b\\\\c"]'));
  assert.ok(pgn.endsWith("\n\n1-0\n"));
  assert.ok(!pgn.includes("RatingDiff"));
});

test("clock format: H:MM:SS, whole seconds rounded down, never negative", () => {
  const table: [number, string][] = [
    [180_000, "0:03:00"],
    [5_999, "0:00:05"],
    [0, "0:00:00"],
    [-40, "0:00:00"],
    [3_600_000, "1:00:00"],
    [5_400_000 + 61_500, "1:31:01"],
  ];
  for (const [ms, shown] of table) assert.equal(formatClock(ms), shown, `${ms} ms`);
});
