// The browser client's pure parts: clock offset and display, game events in order of `v`, moves in
// wire UCI, SAN for replays, a human message for every error code, what a watcher reads, and the
// state of a rematch offer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { errorCodes } from "../../src/protocol/errors.js";
import type { Ack, Game, GameEvent, ServerAction } from "../../src/protocol/types.js";
import { ClockOffset, formatClock, remainingMs } from "../../src/web/src/clock.js";
import { EventOrder } from "../../src/web/src/event-order.js";
import {
  applyEvent,
  applyHeld,
  classifyEvent,
  crowdText,
  gameProgress,
  gameTerms,
} from "../../src/web/src/game-model.js";
import { humanError } from "../../src/web/src/messages.js";
import { REMATCH_MS, Rematches, rematchStatus } from "../../src/web/src/rematch.js";
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

function game(v: number): Game {
  return {
    id: "g1",
    rated: false,
    timeControl: { label: "3+2", initialMs: 180_000, incrementMs: 2_000, speed: "blitz" },
    white: { id: "w", username: "w", rating: 1500 },
    black: { id: "b", username: "b", rating: 1500 },
    fen: INITIAL_FEN,
    ply: 0,
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
    v,
  };
}

const e4 = (v: number): GameEvent => ({
  type: "client/UPDATE_GAME",
  payload: {
    gameId: "g1",
    v,
    ply: 1,
    move: { uci: "e2e4", san: "e4" },
    fen: "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1",
    clock: { whiteMs: 180_000, blackMs: 180_000, running: false, serverTime: 5 },
    drawOffer: null,
  },
});
const offer = (v: number): GameEvent => ({
  type: "client/OFFER_DRAW",
  payload: { gameId: "g1", v, by: "black" },
});
const declined = (v: number): GameEvent => ({
  type: "client/DRAW_DECLINED",
  payload: { gameId: "g1", v, by: "white" },
});
const over = (v: number): GameEvent => ({
  type: "client/GAME_OVER",
  payload: { gameId: "g1", v, result: "1-0", reason: "resign", winner: "white", ratingDiff: null },
});

void test("every game event is classified by v: the next applies, a seen one is ignored, one past it is a gap", () => {
  for (const event of [e4, offer, declined, over]) {
    const kind = event(0).type;
    assert.equal(classifyEvent(game(3), event(4)), "apply", kind);
    assert.equal(classifyEvent(game(3), event(3)), "ignore", kind);
    assert.equal(classifyEvent(game(3), event(1)), "ignore", kind);
    assert.equal(classifyEvent(game(3), event(5)), "gap", kind);
    assert.equal(classifyEvent(null, event(4)), "ignore", kind);
    assert.equal(classifyEvent({ ...game(3), id: "other" }, event(4)), "ignore", kind);
  }
  // The ply no longer decides: the move after a draw offer follows by v, and the same move without
  // the offer before it is a gap though its ply follows.
  assert.equal(classifyEvent(game(1), e4(2)), "apply");
  assert.equal(classifyEvent(game(0), e4(2)), "gap");
});

void test("each event kind changes the game as it says and advances its v", () => {
  const moved = applyEvent(game(0), e4(1));
  assert.deepEqual(
    [moved.v, moved.ply, moved.turn, moved.moves, moved.san, moved.clock.serverTime],
    [1, 1, "black", ["e2e4"], ["e4"], 5],
  );
  const offered = applyEvent(moved, offer(2));
  assert.deepEqual([offered.v, offered.drawOffer, offered.ply], [2, "black", 1]);
  const declinedGame = applyEvent(offered, declined(3));
  assert.deepEqual([declinedGame.v, declinedGame.drawOffer], [3, null]);
  const ended = applyEvent(offered, over(3));
  assert.deepEqual(
    [ended.v, ended.status, ended.result, ended.reason, ended.winner, ended.drawOffer],
    [3, "ended", "1-0", "resign", "white", null],
  );
  assert.equal(ended.clock.running, false);
});

void test("events held behind a gap are applied once those in between arrive, in order of v", () => {
  const held = new Map<number, GameEvent>([
    [3, declined(3)],
    [4, over(4)],
  ]);
  // Still a gap (v 2 missing): nothing applies, nothing is forgotten.
  const waiting = applyHeld(game(1), held);
  assert.deepEqual([waiting.game.v, waiting.applied.length, [...held.keys()]], [1, 0, [3, 4]]);
  // The repair brings v 2: it and then the held ones apply.
  held.set(2, offer(2));
  const { game: caught, applied } = applyHeld(game(1), held);
  assert.deepEqual(
    applied.map((e) => e.payload.v),
    [2, 3, 4],
  );
  assert.deepEqual([caught.v, caught.status, held.size], [4, "ended", 0]);
  // A resumed game that already includes some held events: those are dropped, the next applies.
  held.set(3, declined(3)).set(4, over(4)).set(6, over(6));
  const resumed = applyHeld(game(3), held);
  assert.deepEqual(
    [resumed.game.v, resumed.applied.map((e) => e.payload.v), [...held.keys()]],
    [4, [4], [6]],
  );
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

void test("an event order applies what follows, holds what is past a gap, and asks for the gap once", () => {
  const asked: unknown[] = [];
  const order = new EventOrder((type, payload) => {
    asked.push([type, payload]);
    return Promise.resolve({ ok: true } as Ack);
  });
  assert.equal(order.hold(game(0), e4(0)), false, "already included");
  assert.equal(order.hold({ ...game(0), id: "other" }, e4(1)), false, "another game");
  assert.equal(order.hold(game(0), e4(1)), true);
  const first = order.catchUp(game(0));
  assert.deepEqual([first.game.v, first.applied.length, asked.length], [1, 1, 0]);
  // v 3 and 4 behind a gap at v 2: one game/PLAYER_READY {v: 1} for both.
  order.hold(first.game, declined(3));
  order.catchUp(first.game);
  order.hold(first.game, over(4));
  const waiting = order.catchUp(first.game);
  assert.deepEqual([waiting.game.v, waiting.applied.length], [1, 0]);
  assert.deepEqual(asked, [["game/PLAYER_READY", { gameId: "g1", v: 1 }]]);
  // The repair brings v 2; then all three apply.
  order.hold(first.game, offer(2));
  const caught = order.catchUp(first.game);
  assert.deepEqual([caught.game.v, caught.game.status, asked.length], [4, "ended", 1]);
  // A whole game of another id forgets what was held for the old one.
  order.hold(caught.game, over(9));
  order.loaded(false);
  assert.equal(order.catchUp(game(8)).applied.length, 0);
});

void test("a watcher reads the crowd, the terms and the progress of a live game", () => {
  const g = { ...game(0), rated: true };
  assert.equal(
    crowdText(g, { gameId: "g1", white: true, black: false, watchers: 1 }),
    "w connected · b not connected · 1 watcher",
  );
  assert.equal(
    crowdText(g, { gameId: "g1", white: true, black: true, watchers: 3 }),
    "w connected · b connected · 3 watchers",
  );
  assert.equal(gameTerms(g), "3+2 blitz · rated");
  assert.equal(gameTerms(game(0)), "3+2 blitz · casual");
  const cases: [number, "white" | "black", string][] = [
    [0, "white", "No move yet"],
    [1, "black", "Move 1, black to play"],
    [2, "white", "Move 2, white to play"],
    [23, "black", "Move 12, black to play"],
  ];
  for (const [ply, turn, text] of cases) assert.equal(gameProgress({ ...g, ply, turn }), text);
});

void test("a rematch offer is one's own, the opponent's, or none: another game's, or lapsed", () => {
  const offer = { gameId: "g1", by: "white" as const, atMs: 1_000 };
  assert.equal(rematchStatus(offer, "g1", "white", 1_000), "mine");
  assert.equal(rematchStatus(offer, "g1", "black", 1_000 + REMATCH_MS - 1), "theirs");
  assert.equal(rematchStatus(offer, "g1", "black", 1_000 + REMATCH_MS), "none");
  assert.equal(rematchStatus(offer, "g2", "black", 1_000), "none");
  assert.equal(rematchStatus(null, "g1", "black", 1_000), "none");
});

void test("rematch events: offered, declined with a message, and ended by the next game's start", () => {
  const notes: string[] = [];
  const rematch = new Rematches({
    send: () => Promise.resolve({ ok: true } as Ack),
    notify: (m) => notes.push(m),
    changed: () => {},
    me: (gameId) => (gameId === "g1" ? "black" : null),
  });
  const action = (a: ServerAction) => rematch.take(a);
  assert.equal(
    action({ type: "client/REMATCH_OFFERED", payload: { gameId: "g1", by: "white" } }),
    true,
  );
  assert.equal(rematch.status("g1", "black"), "theirs");
  assert.equal(
    action({ type: "client/REMATCH_DECLINED", payload: { gameId: "g1", by: "black" } }),
    true,
  );
  assert.equal(rematch.status("g1", "black"), "none");
  action({ type: "client/REMATCH_OFFERED", payload: { gameId: "g1", by: "black" } });
  assert.equal(rematch.status("g1", "black"), "mine");
  // The new game's start is the app's to show; the offer is over.
  assert.equal(action({ type: "client/START_GAME", payload: { game: game(0) } }), false);
  assert.equal(rematch.status("g1", "black"), "none");
  assert.deepEqual(notes, ["Your opponent offers a rematch.", "Rematch declined."]);
});
