// Redis under Sentinel: the primary SIGKILLed mid-game with REDIS_WAIT_REPLICAS=1. The instances
// follow the promoted replica by themselves, moves during the switch are refused (not held), no
// acknowledged move is lost, and the finished game reaches MongoDB whole.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { redisCli, SENTINEL_MASTER, startSentinelGroup } from "../../scripts/lib/services.js";
import { randomSan, playSan } from "../helpers/chess-fixtures.js";
import { checkFaultRun, playThroughFault } from "../helpers/failover.js";
import { connect } from "../helpers/client.js";
import { setupGame } from "../helpers/game-setup.js";
import { startGame } from "../helpers/live-games.js";

/** The port of the primary the sentinels name now. */
function sentinelPrimary(sentinelPort: number): number {
  const out = redisCli(sentinelPort, "sentinel", "get-master-addr-by-name", SENTINEL_MASTER);
  return Number(out.trim().split("\n")[1]);
}

/** A game on a primary with one replica (WAIT 1 within 300 ms), the replica woken when it ends. */
async function gameWithOneReplica(t: TestContext) {
  const group = await startSentinelGroup({ replicas: 1 });
  t.after(async () => {
    group.nodes[1]!.process.kill("SIGCONT");
    await group.stop();
  });
  const g = await setupGame(t, {
    env: { ...group.env, REDIS_WAIT_REPLICAS: "1", REDIS_WAIT_TIMEOUT_MS: "300" },
  });
  return { group, g };
}

test("Sentinel: the primary killed mid-game; play resumes on the promoted replica, every acknowledged move kept", async (t) => {
  // Two replicas: after the failover the new primary still has one, so WAIT 1 can succeed.
  const group = await startSentinelGroup({ replicas: 2 });
  t.after(() => group.stop());
  const g = await setupGame(t, {
    env: { ...group.env, REDIS_WAIT_REPLICAS: "1" },
    timeControl: "10+0",
  });
  const moves = playSan(randomSan(40, 17)).uci;
  const oldPrimary = group.nodes[0]!;
  let promotedAt = 0;
  let readyDuring = 200;
  // Watches the switch while the players go on sending: /readyz says 503 while no primary
  // answers, then 200 again after the promotion.
  const watchSwitch = async () => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (promotedAt === 0 && sentinelPrimary(group.sentinels[0]!.port) !== oldPrimary.port) {
        promotedAt = Date.now();
      }
      const ready = await fetch(`${g.instances[0]!.url}/readyz`);
      if (ready.status === 503) readyDuring = 503;
      if (promotedAt !== 0 && readyDuring === 503 && ready.status === 200) return;
      await sleep(50);
    }
  };
  let watching: Promise<void> | undefined;
  const run = await playThroughFault(g, moves, 12, () => {
    oldPrimary.process.kill("SIGKILL");
    watching = watchSwitch();
  });
  await watching;

  assert.equal(readyDuring, 503, "/readyz reported the missing primary");
  t.diagnostic(await checkFaultRun(g, run, moves, promotedAt));
});

test("REDIS_SENTINELS naming no reachable sentinel stops the start with a message naming it", async () => {
  const { loadConfig } = await import("../../src/config.js");
  const { startInstance } = await import("../../src/instance.js");
  const { testEnv } = await import("../helpers/env.js");
  const { createLogger } = await import("../../src/log.js");
  const config = loadConfig(
    testEnv({ REDIS_SENTINELS: "127.0.0.1:1", REDIS_SENTINEL_MASTER: "nobody" }),
  );
  await assert.rejects(startInstance(config, createLogger("silent")), /REDIS_SENTINELS/);
});

test("REDIS_WAIT_REPLICAS: a move its replica does not take in time is answered INTERNAL, and it stands", async (t) => {
  const { group, g } = await gameWithOneReplica(t);
  // The replica stops answering (SIGSTOP): WAIT 1 cannot be met.
  group.nodes[1]!.process.kill("SIGSTOP");
  const sentAt = Date.now();
  const ack = (await g.play("e2e4", 0)) as { ok: boolean; error?: { code: string } };
  const tookMs = Date.now() - sentAt;
  assert.deepEqual([ack.ok, ack.error?.code], [false, "INTERNAL"]);
  assert.ok(tookMs >= 300 && tookMs < 2_000, `answered after ${tookMs} ms`);
  // Not replicated is not undone: the move was committed, and both players learn it from the event.
  for (const c of [g.white, g.black]) {
    assert.equal((await c.nextWhere("client/UPDATE_GAME", (u) => u.ply === 1)).move.uci, "e2e4");
  }
  // The replica back: the next move is acknowledged.
  group.nodes[1]!.process.kill("SIGCONT");
  assert.deepEqual(await g.play("e7e5", 1), { ok: true, ply: 2 });
});

test("REDIS_WAIT_REPLICAS: steps waiting for a stopped replica share their WAITs; nine moves at once are all answered in two timeouts, not nine", async (t) => {
  const { group, g } = await gameWithOneReplica(t);
  // Eight more games on the same two instances: every white on the first.
  const games = [{ white: g.white, gameId: g.gameId }];
  for (let i = 0; i < 8; i++) {
    const white = connect(g.instances[0]!.url);
    const black = connect(g.instances[1]!.url);
    t.after(() => {
      white.close();
      black.close();
    });
    const [w, b] = [
      (await white.next("client/RESUME_SESSION")).user,
      (await black.next("client/RESUME_SESSION")).user,
    ];
    const gameId = await startGame(g.instances[0]!.ctx, w, b);
    for (const c of [white, black])
      assert.equal((await c.send("game/PLAYER_READY", { gameId })).ok, true);
    games.push({ white, gameId });
  }
  group.nodes[1]!.process.kill("SIGSTOP");
  const sentAt = Date.now();
  const took = await Promise.all(
    games.map(async ({ white, gameId }) => {
      const ack = await white.send("game/PLAYER_MOVE", { gameId, move: "e2e4", ply: 0 });
      assert.equal(ack.ok ? null : ack.error.code, "INTERNAL");
      return Date.now() - sentAt;
    }),
  );
  // One WAIT each, one after another on the instance's connection, would take 9 × 300 ms.
  assert.ok(Math.max(...took) < 1_800, `answered after ${took.join(", ")} ms`);
  group.nodes[1]!.process.kill("SIGCONT");
  for (const { white, gameId } of games) {
    const ack = await white.send("game/OFFER_DRAW", { gameId });
    assert.equal(ack.ok, true, JSON.stringify(ack));
  }
});
