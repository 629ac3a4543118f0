import assert from "node:assert/strict";
import { test } from "node:test";
import { INITIAL_FEN, playMove, repetitionKey } from "../../src/domain/chess.js";
import { GameCache } from "../../src/realtime/game-cache.js";
import type { LiveGame } from "../../src/store/game-commands.js";
import { startView } from "../helpers/views.js";

/** A fresh live game at the start (the cache keeps the object it is given). */
const fresh = (): LiveGame => ({
  view: startView("g"),
  meta: { id: "g", whiteId: "W", blackId: "B", rated: false, whiteGlicko: null, blackGlicko: null },
});

const update = (ply: number, fen: string) => ({
  type: "client/UPDATE_GAME" as const,
  payload: {
    gameId: "g",
    ply,
    move: { uci: "g1f3", san: "Nf3" },
    fen,
    clock: { whiteMs: 1, blackMs: 1, running: false, serverTime: 0 },
    drawOffer: null,
  },
});

test("an update delivered before the commit's reply does not count the position twice", () => {
  const cache = new GameCache();
  cache.set(fresh());
  const live = cache.get("g")!;
  const planned = live.view; // what the handler planned on
  const played = playMove(planned.fen, "g1f3", planned.reps);
  assert.ok(played.ok);
  // The script's own publish arrives first: the cache advances the shared entry...
  cache.observe(update(1, played.fen));
  assert.equal(live.view.ply, 1);
  // ...then the handler stores its copy, built on the snapshot it planned on.
  cache.advance({
    meta: live.meta,
    view: { ...planned, ply: 1, fen: played.fen, reps: [...planned.reps, played.repetitionKey] },
  });
  assert.deepEqual(cache.get("g")!.view.reps, [repetitionKey(INITIAL_FEN), played.repetitionKey]);
});

test("updates that do not follow on drop the copy; a copy never goes back", () => {
  const cache = new GameCache();
  cache.set(fresh());
  cache.observe(update(2, INITIAL_FEN));
  assert.equal(cache.get("g"), undefined, "a gap drops the copy");
  cache.set(fresh());
  const played = playMove(INITIAL_FEN, "g1f3", fresh().view.reps);
  assert.ok(played.ok);
  cache.observe(update(1, played.fen));
  cache.advance(fresh());
  assert.equal(cache.get("g")!.view.ply, 1, "an older copy does not replace a newer one");
  cache.observe({
    type: "client/GAME_OVER",
    payload: { gameId: "g", result: "1-0", reason: "resign", winner: "white", ratingDiff: null },
  });
  assert.equal(cache.get("g"), undefined);
});
