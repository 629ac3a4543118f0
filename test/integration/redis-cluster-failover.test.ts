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
import { checkFaultRun, playThroughFault } from "../helpers/failover.js";
import { setupGame } from "../helpers/game-setup.js";

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
  t.diagnostic(await checkFaultRun(g, run, moves, promotedAt));
});
