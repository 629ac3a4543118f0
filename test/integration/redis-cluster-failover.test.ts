// A whole game on a 3-master Redis Cluster (a replica each) with REDIS_WAIT_REPLICAS=1, the master
// of the game's slot SIGKILLed mid-game: the instances follow its promoted replica, moves sent
// during the switch are refused (not held), play resumes within 10 s of the promotion, no
// acknowledged move is lost, and the finished game reaches MongoDB whole. The killed node comes
// back as the new master's replica, as operations.md asks, so that WAIT 1 can be met again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { redisCli, startRedisCluster } from "../../scripts/lib/services.js";
import { randomSan, playSan } from "../helpers/chess-fixtures.js";
import { playThroughFault } from "../helpers/failover.js";
import { archivedCount, setupGame } from "../helpers/game-setup.js";

test("Cluster: the game's master killed mid-game; play resumes on its promoted replica, every acknowledged move kept", async (t) => {
  const cluster = await startRedisCluster({ nodeTimeoutMs: 1_000 });
  t.after(() => cluster.stop());
  const g = await setupGame(t, {
    env: { ...cluster.env, REDIS_WAIT_REPLICAS: "1" },
    timeControl: "10+0",
  });
  const slot = Number(
    redisCli(cluster.nodes[0]!.port, "cluster", "keyslot", g.instances[0]!.ctx.keys.game(g.gameId)),
  );
  const master = cluster.masterOf(slot);
  const killed = cluster.nodes.find((n) => n.port === master)!;
  const moves = playSan(randomSan(40, 23)).uci;
  let promotedAt = 0;
  let readyDuring = 200;
  // Watches the switch while the players go on sending: /readyz says 503 while the slot has no
  // master, then 200 after the promotion.
  let rejoined: Promise<unknown> | undefined;
  const watchSwitch = async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (promotedAt === 0) {
        try {
          if (cluster.masterOf(slot) !== master) promotedAt = Date.now();
        } catch {
          // no live master serves the slot yet
        }
      }
      // Brought back at once, as a replica of the promoted master: WAIT 1 can be met again.
      if (promotedAt !== 0) rejoined ??= cluster.restart(killed);
      const ready = await fetch(`${g.instances[0]!.url}/readyz`);
      if (ready.status === 503) readyDuring = 503;
      if (promotedAt !== 0 && readyDuring === 503 && ready.status === 200) break;
      await sleep(50);
    }
    await rejoined;
  };
  let watching: Promise<void> | undefined;
  const run = await playThroughFault(g, moves, 12, () => {
    killed.process.kill("SIGKILL");
    watching = watchSwitch();
  });
  await watching;

  assert.equal(readyDuring, 503, "/readyz reported the missing master");
  assert.ok(promotedAt > 0, "the replica was promoted");
  assert.ok((run.refusals.INTERNAL ?? 0) > 0, "moves sent during the switch were refused");
  // INTERNAL while the slot has no master, or no replica for WAIT 1 yet; STALE_PLY at most once,
  // for a move whose commit stood though its answer was lost with the old master.
  assert.deepEqual(
    Object.keys(run.refusals).filter((c) => c !== "STALE_PLY"),
    ["INTERNAL"],
  );
  assert.ok((run.refusals.STALE_PLY ?? 0) <= 1, JSON.stringify(run.refusals));
  const resumedAfterMs = run.resumedAt - promotedAt;
  assert.ok(resumedAfterMs < 10_000, `play resumed ${resumedAfterMs} ms after the promotion`);
  assert.deepEqual(run.acked, moves);

  const resign = await g.white.send("game/CONCEDE", { gameId: g.gameId });
  assert.ok(resign.ok, JSON.stringify(resign));
  for (const c of [g.white, g.black])
    assert.equal((await c.next("client/GAME_OVER")).reason, "resign");
  assert.equal(await archivedCount(g.instances[1]!, g.gameId, 20_000), 1);
  const doc = await g.instances[1]!.ctx.mongo.db.collection<{ _id: string; moves: string[] }>(
    "games",
  ).findOne({ _id: g.gameId });
  assert.deepEqual(doc?.moves, moves);
  t.diagnostic(
    `promotion ${promotedAt - run.faultAt} ms after the kill; first move acknowledged ${resumedAfterMs} ms after it; refusals ${JSON.stringify(run.refusals)}`,
  );
});
