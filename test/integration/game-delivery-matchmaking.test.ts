// Every game event reaches every socket that holds the game, exactly once and in order of `v`,
// over many games started by matchmaking (PROTOCOL.md, "Game events and their versions"). Apart
// from game-delivery.test.ts because matchmaking's steps still span slots: these do not run on the
// Cluster pass of `npm test` (docs/architecture.md).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Instance } from "../../src/instance.js";
import { startMatchedGame } from "../../src/jobs/matchups.js";
import { gameEventSchema } from "../../src/protocol/game-events.js";
import { newId } from "../../src/store/ids.js";
import { createProposal } from "../../src/store/matchmaking.js";
import { connect } from "../helpers/client.js";
import { testEnv } from "../helpers/env.js";
import { eventsOf, versions } from "../helpers/game-events.js";
import { clusterFor } from "../helpers/instances.js";
import { eventually, join, queueUp, type Player } from "../helpers/matchmaking.js";

const POOL = "5+0";

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
