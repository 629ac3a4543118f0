// The browser client's pure parts: clock offset and display, the ply-gap rule, moves in wire UCI,
// SAN for replays, and a human message for every error code.
import assert from "node:assert/strict";
import { test } from "node:test";
import { errorCodes } from "../../src/protocol/errors.js";
import type { Game } from "../../src/protocol/types.js";
import { ClockOffset, formatClock, remainingMs } from "../../src/web/src/clock.js";
import { applyUpdate, classifyUpdate, type GameUpdate } from "../../src/web/src/game-model.js";
import { humanError } from "../../src/web/src/messages.js";
import { INITIAL_FEN, positionOf, replay, typedMove, wireUci } from "../../src/web/src/rules.js";

void test("the clock offset prefers fresh move stamps, then the middle of the Date-header bounds", () => {
  const offset = new ClockOffset();
  assert.equal(offset.offsetMs(), 0);
  // Server clock 10 s ahead; Date header 100_000 (whole second) sent at 90_200, received at 90_300.
  offset.observeDateHeader(100_000, 90_200, 90_300);
  const guess = offset.offsetMs();
  assert.ok(guess >= 100_000 - 90_300 && guess <= 101_000 - 90_200, `guess ${guess}`);
  // A resumed game's stamp from long ago proves little and does not pull the guess down.
  offset.observe(50_000, 90_400, false);
  assert.equal(offset.offsetMs(), guess);
  // A move stamped 100_350 arriving at 90_370: within 20 ms of the truth.
  offset.observe(100_350, 90_370, true);
  assert.equal(offset.offsetMs(), 9_980);
});

void test("only the side to move loses time, and only while the clock runs", () => {
  const clock = { whiteMs: 60_000, blackMs: 30_000, running: true, serverTime: 1_000 };
  assert.equal(remainingMs(clock, "white", "white", 6_000), 55_000);
  assert.equal(remainingMs(clock, "black", "white", 6_000), 30_000);
  assert.equal(remainingMs({ ...clock, running: false }, "white", "white", 6_000), 60_000);
  assert.equal(remainingMs(clock, "white", "white", 100_000), 0);
});

void test("clocks read m:ss, h:mm:ss, and tenths under ten seconds", () => {
  const cases: [number, string][] = [
    [180_000, "3:00"],
    [59_999, "0:59"],
    [10_000, "0:10"],
    [9_876, "9.8"],
    [0, "0.0"],
    [3_600_000, "1:00:00"],
  ];
  for (const [ms, text] of cases) assert.equal(formatClock(ms), text, `${ms} ms`);
});

function game(ply: number): Game {
  return {
    id: "g1",
    rated: false,
    timeControl: { label: "3+2", initialMs: 180_000, incrementMs: 2_000, speed: "blitz" },
    white: { id: "w", username: "w", rating: 1500 },
    black: { id: "b", username: "b", rating: 1500 },
    fen: INITIAL_FEN,
    ply,
    moves: [],
    san: [],
    turn: "white",
    clock: { whiteMs: 180_000, blackMs: 180_000, running: false, serverTime: 0 },
    drawOffer: null,
    status: "started",
    result: null,
    reason: null,
    winner: null,
    createdAt: 0,
    endedAt: null,
  };
}

void test("an update is applied when it follows, ignored when seen, and a gap asks for a resync", () => {
  const update = (ply: number): GameUpdate => ({
    gameId: "g1",
    ply,
    move: { uci: "e2e4", san: "e4" },
    fen: "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1",
    clock: { whiteMs: 180_000, blackMs: 180_000, running: false, serverTime: 5 },
    drawOffer: null,
  });
  assert.equal(classifyUpdate(game(0), update(1)), "apply");
  assert.equal(classifyUpdate(game(1), update(1)), "ignore");
  assert.equal(classifyUpdate(game(0), update(2)), "gap");
  assert.equal(classifyUpdate(null, update(1)), "ignore");
  assert.equal(classifyUpdate({ ...game(0), id: "other" }, update(1)), "ignore");
  const next = applyUpdate(game(0), update(1));
  assert.deepEqual([next.ply, next.turn, next.moves, next.san], [1, "black", ["e2e4"], ["e4"]]);
});

void test("board moves become wire UCI: castling as the king's two-square move, promotions suffixed", () => {
  const castle = positionOf("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1")!;
  assert.equal(wireUci(castle, "e1", "g1"), "e1g1");
  assert.equal(wireUci(castle, "e1", "h1"), "e1g1");
  assert.equal(wireUci(castle, "e1", "a1"), "e1c1");
  const promo = positionOf("8/4P3/8/8/8/8/k7/4K3 w - - 0 1")!;
  assert.equal(wireUci(promo, "e7", "e8", "knight"), "e7e8n");
  assert.equal(wireUci(promo, "e7", "d8", "queen"), null);
  assert.equal(typedMove(castle, "O-O-O"), "e1c1");
  assert.equal(typedMove(promo, "e8=Q"), "e7e8q");
  assert.equal(typedMove(positionOf(INITIAL_FEN)!, "Nf3"), "g1f3");
  assert.equal(typedMove(positionOf(INITIAL_FEN)!, "e5"), null);
});

void test("a replay recomputes SAN from the stored UCI moves", () => {
  const steps = replay(["e2e4", "e7e5", "f1c4", "b8c6", "d1h5", "g8f6", "h5f7"]);
  assert.deepEqual(
    steps.map((s) => s.san),
    ["e4", "e5", "Bc4", "Nc6", "Qh5", "Nf6", "Qxf7#"],
  );
  assert.equal(steps.at(-1)?.check, true);
  assert.deepEqual(steps.at(-1)?.lastMove, ["h5", "f7"]);
});

void test("every error code of the catalogue has its own human message", () => {
  const generic = humanError("NO_SUCH_CODE");
  for (const code of errorCodes) {
    const message = humanError(code);
    assert.notEqual(message, generic, code);
    assert.ok(message.endsWith("."), code);
  }
});
