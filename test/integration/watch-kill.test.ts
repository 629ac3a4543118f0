// A watcher on a third instance sees every event of a whole game in order, also when its instance
// is SIGKILLed mid-game: it reconnects to the restarted instance, asks again by `v`, and misses
// nothing and gets nothing twice.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { GameEvent } from "../../src/protocol/types.js";
import { GAME_EVENT_TYPES } from "../../src/protocol/types.js";
import { connect } from "../helpers/client.js";
import { setupGame, updateAt } from "../helpers/game-setup.js";
import { spawnInstance } from "../helpers/instances.js";
import { eventually } from "../helpers/matchmaking.js";

// A whole game: the Fried Liver (11 plies), a draw offer declined by a move, a resignation.
const MOVES = ["e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "g8f6", "f3g5", "d7d5", "e4d5", "f6d5"];
const LAST = "g5f7"; // Nxf7, declining the draw offer; then black resigns

test("a watcher on a third instance sees every event of a whole game in order, also after its instance is SIGKILLed", async (t) => {
  const g = await setupGame(t, { timeControl: "5+3" });
  const id = g.gameId;
  let third = await spawnInstance(g.env);
  const port = third.port;
  t.after(() => third.kill());
  const watcher = connect(third.url);
  t.after(() => watcher.close());
  await watcher.next("client/RESUME_SESSION");
  assert.equal((await watcher.send("game/WATCH", { gameId: id })).ok, true);
  const resumed = (await watcher.next("client/RESUME_GAME")).game;
  assert.equal(resumed.v, 0);

  // What a watching client does: note the last v it holds; after a reconnect, ask from there.
  let lastV = 0;
  let reconnects = 0;
  watcher.socket.on("action", (a: { type: string; payload: { gameId?: string; v?: number } }) => {
    if ((GAME_EVENT_TYPES as readonly string[]).includes(a.type) && a.payload.gameId === id)
      lastV = Math.max(lastV, a.payload.v!);
  });
  watcher.socket.io.on("reconnect", () => {
    reconnects++;
    void watcher.send("game/PLAYER_READY", { gameId: id, v: lastV });
  });

  const half = 5;
  for (const [ply, uci] of MOVES.slice(0, half).entries())
    assert.deepEqual(await g.play(uci, ply), { ok: true, ply: ply + 1 });
  await eventually("the watcher saw the first moves", () => Promise.resolve(lastV === half));

  // The watcher's instance dies; the players play on while it is away.
  await third.kill();
  for (const [i, uci] of MOVES.slice(half).entries())
    assert.equal(((await g.play(uci, half + i)) as { ok: boolean }).ok, true);
  assert.equal((await g.black.send("game/OFFER_DRAW", { gameId: id })).ok, true);
  await g.white.next("client/OFFER_DRAW");
  third = await spawnInstance(g.env, port);
  await eventually("the watcher reconnected", () => Promise.resolve(reconnects > 0));
  await eventually("the watcher caught up", () => Promise.resolve(lastV === MOVES.length + 1));

  // Back live: the rest of the game, the decline of the draw by a move, and the end.
  assert.equal(((await g.play(LAST, MOVES.length)) as { ok: boolean }).ok, true);
  await updateAt(g.black, MOVES.length + 1);
  assert.equal((await g.black.send("game/CONCEDE", { gameId: id })).ok, true);
  const over = await watcher.next("client/GAME_OVER");
  assert.equal(over.winner, "white");
  await g.white.next("client/GAME_OVER"); // the player's copy to compare with, complete too

  const seen = (c: typeof watcher) =>
    c.received.filter(
      (a): a is GameEvent =>
        (GAME_EVENT_TYPES as readonly string[]).includes(a.type) &&
        (a.payload as { gameId: string }).gameId === id,
    );
  const watched = seen(watcher);
  const played = seen(g.white);
  assert.deepEqual(
    watched.map((e) => e.payload.v),
    played.map((e) => e.payload.v),
    "every version once, in order, as the player saw them",
  );
  assert.deepEqual(watched, played, "the same events");
  assert.deepEqual(
    watched.map((e) => e.payload.v),
    Array.from({ length: over.v }, (_, i) => i + 1),
  );
  const moves = watched.flatMap((e) =>
    e.type === "client/UPDATE_GAME" ? [e.payload.move.uci] : [],
  );
  assert.deepEqual(moves, [...MOVES, LAST]);
  t.diagnostic(`watcher reconnects: ${reconnects}; events: ${watched.length}`);
});
