// Every game event reaches every socket that holds the game, exactly once and in order of `v`
// (PROTOCOL.md, "Game events and their versions"), with the players on different instances.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Instance } from "../../src/instance.js";
import { startMatchedGame } from "../../src/jobs/matchups.js";
import { gameEventSchema } from "../../src/protocol/game-events.js";
import type { GameEvent } from "../../src/protocol/types.js";
import { newId } from "../../src/store/ids.js";
import { createProposal } from "../../src/store/matchmaking.js";
import { connect, type TestClient } from "../helpers/client.js";
import { setupGame } from "../helpers/game-setup.js";
import { testEnv } from "../helpers/env.js";
import { clusterFor } from "../helpers/instances.js";
import { eventually, join, queueUp, type Player } from "../helpers/matchmaking.js";

const POOL = "5+0";

/** Every game event one client received for a game, in the order received. */
function eventsOf(client: TestClient, gameId: string): GameEvent[] {
  return client.received.filter(
    (a): a is GameEvent =>
      [
        "client/UPDATE_GAME",
        "client/OFFER_DRAW",
        "client/DRAW_DECLINED",
        "client/GAME_OVER",
      ].includes(a.type) && (a.payload as { gameId: string }).gameId === gameId,
  );
}

const versions = (events: GameEvent[]) => events.map((e) => e.payload.v);

/** Pairs two queued players straight from the test, as a pairing wave does, and starts the game. */
async function pairAndStart(instance: Instance, a: Player, b: Player): Promise<void> {
  const proposal = await createProposal(instance.ctx, {
    a: a.user.id,
    b: b.user.id,
    matchId: newId(),
    pool: POOL,
    rated: false,
    proposalMs: 15_000,
  });
  assert.ok(proposal, "both players were queued");
  assert.equal(await startMatchedGame(instance.ctx, proposal), true);
}

test("both players see the same gap-free versions in 50 games with offers, declines, moves and resignations", async (t) => {
  const env = testEnv({ PAIRING_INTERVAL_MS: "3600000", PAIRING_SOON_MS: "0" });
  const [a, b] = await clusterFor(t, env, 2);
  const players = [await join(a!.url), await join(b!.url)];
  // A second socket of the first player, on the other instance: it must see the same.
  const twin = connect(b!.url, players[0]!.sessionId);
  await twin.next("client/RESUME_SESSION");
  t.after(() => [...players.map((p) => p.client), twin].forEach((c) => c.close()));
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const line = ["e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "g8f6", "d2d3", "f8c5", "c2c3", "d7d6"];
  for (let n = 0; n < 50; n++) {
    for (const p of players) assert.equal((await queueUp(p, POOL, { autoAccept: true })).ok, true);
    const start = players[0]!.client.next("client/START_GAME");
    await pairAndStart(a!, players[0]!, players[1]!);
    const game = (await start).game;
    const byColor = (color: "white" | "black") =>
      players.find((p) => p.user.id === game[color].id)!.client;
    const plies = 2 + Math.floor(random() * (line.length - 2));
    for (let ply = 0; ply < plies; ply++) {
      const mover = byColor(ply % 2 === 0 ? "white" : "black");
      const other = byColor(ply % 2 === 0 ? "black" : "white");
      if (random() < 0.3) {
        assert.equal((await other.send("game/OFFER_DRAW", { gameId: game.id })).ok, true);
        if (random() < 0.5)
          assert.equal((await mover.send("game/DECLINE_DRAW", { gameId: game.id })).ok, true);
      }
      const ack = await mover.send("game/PLAYER_MOVE", { gameId: game.id, move: line[ply], ply });
      assert.equal(ack.ok, true, JSON.stringify(ack));
    }
    const resigner = byColor(random() < 0.5 ? "white" : "black");
    assert.equal((await resigner.send("game/CONCEDE", { gameId: game.id })).ok, true);
    const clients = [...players.map((p) => p.client), twin];
    for (const c of clients) await c.nextWhere("client/GAME_OVER", (o) => o.gameId === game.id);
    const seen = clients.map((c) => versions(eventsOf(c, game.id)));
    const expected = Array.from({ length: seen[0]!.length }, (_, i) => i + 1);
    for (const s of seen) assert.deepEqual(s, expected, `game ${n}: gap-free v from 1`);
    // What the scripts built is what the contract says, field for field.
    for (const event of eventsOf(twin, game.id)) gameEventSchema.parse(event);
    assert.ok(seen[0]!.length >= plies + 1);
  }
});

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

test("one socket plays 30 games in a row: the instances' subscriptions do not grow", async (t) => {
  const env = testEnv({ PAIRING_INTERVAL_MS: "3600000", PAIRING_SOON_MS: "0" });
  const [a, b] = await clusterFor(t, env, 2);
  const players = [await join(a!.url), await join(b!.url)];
  t.after(() => players.forEach((p) => p.client.close()));
  const redis = a!.ctx.redis;
  const prefix = a!.ctx.keys.prefix;
  const channels = async () =>
    (await redis.sendCommand<string[]>(["PUBSUB", "SHARDCHANNELS", `${prefix}:*`])).length;
  const baseline = await channels();
  for (let n = 0; n < 30; n++) {
    for (const p of players) assert.equal((await queueUp(p, POOL, { autoAccept: true })).ok, true);
    const start = players[0]!.client.next("client/START_GAME");
    await pairAndStart(n % 2 === 0 ? a! : b!, players[0]!, players[1]!);
    const game = (await start).game;
    const white = players.find((p) => p.user.id === game.white.id)!;
    const black = players.find((p) => p.user.id === game.black.id)!;
    assert.equal(
      (await white.client.send("game/PLAYER_MOVE", { gameId: game.id, move: "e2e4", ply: 0 })).ok,
      true,
    );
    assert.equal((await black.client.send("game/CONCEDE", { gameId: game.id })).ok, true);
    for (const p of players)
      await p.client.nextWhere("client/GAME_OVER", (o) => o.gameId === game.id);
  }
  // Each instance has left every finished game's channel.
  await eventually(
    "no game channel is listened to",
    async () =>
      a!.rt.feeds.listening === 0 && b!.rt.feeds.listening === 0 && (await channels()) <= baseline,
  );
  const gameChannels = await redis.sendCommand<string[]>([
    "PUBSUB",
    "SHARDCHANNELS",
    `${prefix}:game-events:*`,
  ]);
  assert.deepEqual(gameChannels, []);
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
