// Every game event reaches every socket that holds the game, exactly once and in order of `v`
// (PROTOCOL.md, "Game events and their versions"), with the players on different instances.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "../helpers/client.js";
import { eventsOf, versions } from "../helpers/game-events.js";
import { setupGame } from "../helpers/game-setup.js";

test("PLAYER_READY with an old v replays exactly the missing events; older than the log, the whole game", async (t) => {
  const g = await setupGame(t);
  const ruyLopez =
    "e2e4 e7e5 g1f3 b8c6 f1b5 a7a6 b5a4 g8f6 e1g1 f8e7 f1e1 b7b5 a4b3 d7d6 c2c3 e8g8";
  for (const [ply, uci] of ruyLopez.split(" ").entries())
    assert.deepEqual(await g.play(uci, ply), { ok: true, ply: ply + 1 });
  assert.equal(
    (await g.white.send("game/OFFER_DRAW", { gameId: g.gameId })).ok,
    true,
    "an offer is an event too",
  );
  await g.black.nextWhere("client/OFFER_DRAW", () => true);
  const late = connect(g.instances[1]!.url, undefined);
  t.after(() => late.close());
  await late.next("client/RESUME_SESSION");
  // A watcher's socket that says it has v 10: it gets 11..17, nothing else.
  assert.equal((await late.send("game/PLAYER_READY", { gameId: g.gameId, v: 10 })).ok, true);
  await late.nextWhere("client/OFFER_DRAW", () => true);
  assert.deepEqual(versions(eventsOf(late, g.gameId)), [11, 12, 13, 14, 15, 16, 17]);
  assert.equal(late.received.filter((a) => a.type === "client/RESUME_GAME").length, 0);
  // Up to date: nothing at all.
  const before = late.received.length;
  assert.equal((await late.send("game/PLAYER_READY", { gameId: g.gameId, v: 17 })).ok, true);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(late.received.length, before);
  // Play past the log's length (30 events), then ask from v 0: the whole game instead.
  const other = connect(g.instances[0]!.url);
  t.after(() => other.close());
  await other.next("client/RESUME_SESSION");
  for (let i = 0; i < 16; i++) {
    const side = i % 2 === 0 ? g.black : g.white;
    assert.equal(
      (await side.send(i % 2 === 0 ? "game/DECLINE_DRAW" : "game/OFFER_DRAW", { gameId: g.gameId }))
        .ok,
      true,
    );
  }
  assert.equal((await other.send("game/PLAYER_READY", { gameId: g.gameId, v: 0 })).ok, true);
  const resumed = await other.next("client/RESUME_GAME");
  assert.equal(resumed.game.v, 33);
  assert.equal(resumed.game.ply, 16);
  assert.equal(eventsOf(other, g.gameId).length, 0);
  // An unknown game is refused, and nothing is sent.
  const ack = await other.send("game/PLAYER_READY", { gameId: "nosuchgame", v: 3 });
  assert.deepEqual(ack.ok ? null : ack.error.code, "NOT_FOUND");
});

test("events published while an instance's subscriber reconnects reach its sockets from the log", async (t) => {
  const g = await setupGame(t);
  assert.deepEqual(await g.play("e2e4", 0), { ok: true, ply: 1 });
  await g.black.nextWhere("client/UPDATE_GAME", (u) => u.ply === 1);
  // Every subscriber connection drops; the moves below are published while they reconnect.
  const redis = g.instances[0]!.ctx.redis;
  await redis.sendCommand(["CLIENT", "KILL", "TYPE", "pubsub"]);
  assert.deepEqual(await g.play("e7e5", 1), { ok: true, ply: 2 });
  assert.equal((await g.white.send("game/OFFER_DRAW", { gameId: g.gameId })).ok, true);
  for (const c of [g.white, g.black]) {
    await c.nextWhere("client/OFFER_DRAW", (o) => o.gameId === g.gameId);
    assert.deepEqual(versions(eventsOf(c, g.gameId)), [1, 2, 3]);
  }
  assert.deepEqual(await g.play("g1f3", 2), { ok: true, ply: 3 });
  for (const c of [g.white, g.black]) {
    await c.nextWhere("client/UPDATE_GAME", (u) => u.ply === 3);
    assert.deepEqual(versions(eventsOf(c, g.gameId)), [1, 2, 3, 4]);
  }
});

test("a watcher on a third socket gets RESUME_GAME, then the players' events with the same v, and cannot act", async (t) => {
  const g = await setupGame(t);
  assert.deepEqual(await g.play("e2e4", 0), { ok: true, ply: 1 });
  const watcher = connect(g.instances[1]!.url);
  t.after(() => watcher.close());
  await watcher.next("client/RESUME_SESSION");
  assert.equal((await watcher.send("game/WATCH", { gameId: g.gameId })).ok, true);
  const { game } = await watcher.next("client/RESUME_GAME");
  assert.deepEqual([game.v, game.ply], [1, 1]);
  assert.deepEqual(await g.play("e7e5", 1), { ok: true, ply: 2 });
  assert.equal((await g.black.send("game/OFFER_DRAW", { gameId: g.gameId })).ok, true);
  await watcher.nextWhere("client/OFFER_DRAW", (o) => o.gameId === g.gameId);
  assert.deepEqual(versions(eventsOf(watcher, g.gameId)), [2, 3]);
  for (const type of ["game/CONCEDE", "game/OFFER_DRAW"]) {
    const ack = await watcher.send(type, { gameId: g.gameId });
    assert.deepEqual(ack.ok ? null : ack.error.code, "NOT_YOUR_GAME", type);
  }
  const move = await watcher.send("game/PLAYER_MOVE", { gameId: g.gameId, move: "g1f3", ply: 2 });
  assert.deepEqual(move.ok ? null : move.error.code, "NOT_YOUR_GAME");
  // Unwatched, it hears nothing more; a player's UNWATCH of its own game changes nothing.
  assert.equal((await watcher.send("game/UNWATCH", { gameId: g.gameId })).ok, true);
  assert.equal((await g.white.send("game/UNWATCH", { gameId: g.gameId })).ok, true);
  assert.deepEqual(await g.play("g1f3", 2), { ok: true, ply: 3 });
  await g.white.nextWhere("client/UPDATE_GAME", (u) => u.ply === 3);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(versions(eventsOf(watcher, g.gameId)), [2, 3]);
  const unknown = await watcher.send("game/WATCH", { gameId: "nosuchgame" });
  assert.deepEqual(unknown.ok ? null : unknown.error.code, "NOT_FOUND");
});
