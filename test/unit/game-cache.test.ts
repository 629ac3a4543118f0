import assert from "node:assert/strict";
import { test } from "node:test";
import { INITIAL_FEN, playMove, repetitionKey } from "../../src/domain/chess.js";
import { viewAfterMove } from "../../src/domain/game.js";
import { GameCache } from "../../src/realtime/game-cache.js";
import { startView } from "../helpers/views.js";

const update = (ply: number, fen: string) => ({
  type: "client/UPDATE_GAME" as const,
  payload: {
    gameId: "g",
    v: ply,
    ply,
    move: { uci: "g1f3", san: "Nf3" },
    fen,
    clock: { whiteMs: 1, blackMs: 1, running: false, serverTime: 0 },
    drawOffer: null,
  },
});

test("an update delivered before the commit's reply does not count the position twice", () => {
  const cache = new GameCache();
  const planned = startView("g"); // what the handler planned on
  cache.set(planned);
  const played = playMove(planned.fen, "g1f3", planned.reps);
  assert.ok(played.ok);
  // The script's own publish arrives first: the cache advances its entry...
  cache.observe(update(1, played.fen));
  assert.equal(cache.get("g")!.ply, 1);
  // ...then the handler stores its copy, built on the snapshot it planned on.
  cache.advance(viewAfterMove(planned, { ply: 1, fen: played.fen, drawOffer: null }));
  assert.deepEqual(cache.get("g")!.reps, [repetitionKey(INITIAL_FEN), played.repetitionKey]);
});

test("the copy after a move is the same whether from the commit or from the channel", () => {
  const planned = startView("g");
  const played = playMove(planned.fen, "e2e4", planned.reps);
  assert.ok(played.ok);
  const cache = new GameCache();
  cache.set(planned);
  cache.observe(update(1, played.fen));
  const fromChannel = cache.get("g")!;
  const fromCommit = viewAfterMove(planned, { ply: 1, fen: played.fen, drawOffer: null });
  assert.deepEqual(fromChannel, fromCommit);
  // A pawn move is irreversible: repetitions start afresh from its position.
  assert.deepEqual(fromCommit.reps, [played.repetitionKey]);
});

test("updates that do not follow on drop the copy; a copy never goes back", () => {
  const cache = new GameCache();
  cache.set(startView("g"));
  cache.observe(update(2, INITIAL_FEN));
  assert.equal(cache.get("g"), undefined, "a gap drops the copy");
  cache.set(startView("g"));
  const played = playMove(INITIAL_FEN, "g1f3", startView("g").reps);
  assert.ok(played.ok);
  cache.observe(update(1, played.fen));
  cache.advance(startView("g"));
  assert.equal(cache.get("g")!.ply, 1, "an older copy does not replace a newer one");
  cache.observe({
    type: "client/GAME_OVER",
    payload: {
      gameId: "g",
      v: 2,
      result: "1-0",
      reason: "resign",
      winner: "white",
      ratingDiff: null,
    },
  });
  assert.equal(cache.get("g"), undefined);
});

test("after a takeback the copy at the lower ply is the newer one; the position before it is stale", () => {
  const cache = new GameCache();
  const start = startView("g");
  const played = playMove(start.fen, "g1f3", start.reps);
  assert.ok(played.ok);
  const beforeTakeback = viewAfterMove(start, { ply: 1, fen: played.fen, drawOffer: null });
  cache.set(beforeTakeback);
  // The takeback returned the game to ply 0; this instance committed a move after it.
  const other = playMove(start.fen, "e2e4", start.reps);
  assert.ok(other.ok);
  const after = viewAfterMove(
    { ...start, takebacks: 1 },
    { ply: 1, fen: other.fen, drawOffer: null },
  );
  cache.advance(after);
  assert.equal(
    cache.get("g")!.fen,
    other.fen,
    "the copy after the takeback replaces the one before",
  );
  cache.advance(beforeTakeback);
  assert.equal(cache.get("g")!.fen, other.fen, "a copy from before the takeback never comes back");
});
