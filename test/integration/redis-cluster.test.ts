// The Redis module on a real Redis Cluster (three masters, a replica each, Debian's redis-server):
// scripts run on the master of their keys' slot, WAIT counts that master's replicas, the sessions'
// steps each touch one slot, and a master SIGKILLed is followed to its promoted replica, sharded
// subscriptions included. (The server itself does not start on a Cluster yet: docs/architecture.md.)
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  redisCli,
  startRedisCluster,
  type ClusterOptions,
  type RedisCluster,
} from "../../scripts/lib/services.js";
import { pino } from "pino";
import { loadConfig, type Config } from "../../src/config.js";
import type { AppContext } from "../../src/context.js";
import { planMove } from "../../src/domain/game.js";
import { handleGameDeadline } from "../../src/jobs/game-deadline.js";
import { startDeadlines } from "../../src/jobs/deadlines.js";
import { commitAction, commitMove, loadLiveGame } from "../../src/store/game-commands.js";
import { createKeys } from "../../src/store/keys.js";
import {
  closeRedis,
  connectRedis,
  createRedis,
  redisReady,
  type Redis,
} from "../../src/store/redis.js";
import { LuaScript } from "../../src/store/lua-script.js";
import {
  ackArchived,
  archiveBacklog,
  deadLetter,
  ensureArchiveGroup,
  leaveArchiveGroup,
  readNewEntries,
  removeIdleConsumers,
} from "../../src/store/archive-queue.js";
import {
  createSession,
  deleteSession,
  getSession,
  updateUserSessions,
} from "../../src/store/sessions.js";
import { testEnv, uniqueName } from "../helpers/env.js";
import { startGame } from "../helpers/live-games.js";

const presence = LuaScript.load("presence-1");

/** A cluster for this test, stopped when it ends. */
async function clusterFor(t: TestContext, opts: ClusterOptions = {}): Promise<RedisCluster> {
  const cluster = await startRedisCluster(opts);
  t.after(() => cluster.stop());
  return cluster;
}

/** A configuration (a prefix of its own) pointing at the cluster, and its keys. */
function clusterConfig(cluster: RedisCluster, env: Record<string, string> = {}) {
  const config: Config = loadConfig(testEnv(env));
  const nodes = cluster.env.REDIS_CLUSTER_NODES.split(",").map((n) => {
    const [host, port] = n.split(":");
    return { host: host!, port: Number(port) };
  });
  return {
    config: { ...config, REDIS_CLUSTER_NODES: nodes },
    keys: createKeys(config.REDIS_PREFIX),
  };
}

/** A connected client of the configured cluster, closed when the test ends. */
async function connected(
  t: TestContext,
  config: Config,
  queueWhileOffline = false,
): Promise<Redis> {
  const redis = createRedis(config, () => {}, { queueWhileOffline });
  t.after(() => closeRedis(redis));
  await connectRedis(config, [redis]);
  return redis;
}

const slotOf = (cluster: RedisCluster, key: string): number =>
  Number(redisCli(cluster.nodes[0]!.port, "cluster", "keyslot", key).trim());

/** The replica (a node of `cluster.nodes`) of the master on `port`. */
function replicaOf(cluster: RedisCluster, port: number) {
  const id = redisCli(port, "cluster", "myid").trim();
  return cluster.nodes.find(
    (n) =>
      redisCli(n.port, "info", "replication").includes(`master_port:${port}`) &&
      redisCli(n.port, "cluster", "nodes").includes(`myself,slave ${id}`),
  )!;
}

/** A game id whose keys land on each master, one per master (by the slot of its presence key). */
function gamesPerMaster(cluster: RedisCluster, keys: ReturnType<typeof createKeys>) {
  const byMaster = new Map<number, string>();
  while (byMaster.size < 3) {
    const gameId = uniqueName("g");
    const master = cluster.masterOf(slotOf(cluster, keys.gamePresence(gameId)));
    if (!byMaster.has(master)) byMaster.set(master, gameId);
  }
  return byMaster;
}

const announce = (redis: Redis, keys: ReturnType<typeof createKeys>, gameId: string, n: number) =>
  presence.run(
    redis,
    [keys.gamePresence(gameId)],
    [`watchers:i${n}`, "1", 60_000, 60_000, gameId, keys.gameEvents(gameId)],
  );

test("Cluster: a script runs on each master its keys name, and WAIT counts that master's replica", async (t) => {
  const cluster = await clusterFor(t);
  const wait = { REDIS_WAIT_REPLICAS: "1", REDIS_WAIT_TIMEOUT_MS: "300" };
  const { config, keys } = clusterConfig(cluster, wait);
  const redis = await connected(t, config);

  const games = gamesPerMaster(cluster, keys);
  // The script is not cached on any master yet: each runs it (EVALSHA, then EVAL) on its own slot.
  for (const gameId of games.values()) assert.equal(await announce(redis, keys, gameId, 1), 0);
  for (const [master, gameId] of games) {
    const hash = redisCli(master, "hgetall", keys.gamePresence(gameId));
    assert.match(hash, /watchers:i1/, `the presence of ${gameId} is on master ${master}`);
  }

  // One master's replica stops answering: a step on that master is not acknowledged
  // (INTERNAL, after the WAIT's 300 ms), a step on another master is.
  const [stoppedMaster, stoppedGame] = [...games][0]!;
  const replica = replicaOf(cluster, stoppedMaster);
  replica.process.kill("SIGSTOP");
  t.after(() => replica.process.kill("SIGCONT"));
  await assert.rejects(announce(redis, keys, stoppedGame, 2), /reached 0 of 1 replicas/);
  for (const gameId of [...games.values()].slice(1)) await announce(redis, keys, gameId, 2);
  replica.process.kill("SIGCONT");
  await announce(redis, keys, stoppedGame, 3);
});

test("Cluster: a session and its user's set sit on two slots; each step touches one", async (t) => {
  const cluster = await clusterFor(t, { replicas: 0 });
  const { config, keys } = clusterConfig(cluster);
  const redis = await connected(t, config);
  const ctx = { redis, keys, config };

  const userId = uniqueName("u");
  const record = { userId, username: "alice", guest: false, createdAt: Date.now() };
  const ids = [await createSession(ctx, record), await createSession(ctx, record)];
  const masters = new Set(
    [keys.userSessions(userId), ...ids.map((id) => keys.session(id))].map((k) =>
      cluster.masterOf(slotOf(cluster, k)),
    ),
  );
  t.diagnostic(`the user's set and two sessions on ${masters.size} master(s)`);
  assert.deepEqual((await redis.sMembers(keys.userSessions(userId))).sort(), [...ids].sort());
  assert.equal((await getSession(ctx, ids[0]))?.username, "alice");

  await updateUserSessions(ctx, userId, { username: "alice2" });
  for (const id of ids) assert.equal((await getSession(ctx, id))?.username, "alice2");

  assert.equal((await deleteSession(ctx, ids[0]!))?.userId, userId);
  assert.equal(await getSession(ctx, ids[0]), null);
  assert.deepEqual(await redis.sMembers(keys.userSessions(userId)), [ids[1]]);
});

test("Cluster: the archive queue's steps each reach the stream's master, and its acknowledgement expires the game on another", async (t) => {
  const cluster = await clusterFor(t, { replicas: 0 });
  // A prefix whose archive stream is on another master than the subcommands' words would be.
  const words = ["CREATE", "CONSUMERS", "DELCONSUMER"].map((w) =>
    cluster.masterOf(slotOf(cluster, w)),
  );
  let prefix = uniqueName("p");
  while (words.includes(cluster.masterOf(slotOf(cluster, createKeys(prefix).archive)))) {
    prefix = uniqueName("p");
  }
  const { config, keys } = clusterConfig(cluster, { REDIS_PREFIX: prefix });
  const redis = await connected(t, config);
  const reader = await connected(t, config, true);
  const ctx = { redis, keys, config };

  // XGROUP and XINFO name their key after a subcommand: routed by the word, they would bounce
  // between masters until node-redis gave up.
  await ensureArchiveGroup(ctx);
  await ensureArchiveGroup(ctx); // BUSYGROUP: already there
  const gameIds = [uniqueName("g"), uniqueName("g")];
  for (const id of gameIds) {
    await redis.hSet(keys.game(id), "status", "ended");
    await redis.xAdd(keys.archive, "*", { gameId: id }); // as a game's ending step queues it
  }
  const entries = await readNewEntries({ ...ctx, redis: reader }, "c1", 10, 100);
  assert.deepEqual(
    entries.map((e) => e.gameId),
    gameIds,
  );
  assert.equal(await archiveBacklog(ctx), 2);
  await ackArchived(ctx, entries[0]!.entryId, gameIds[0]!, 60);
  const ttl = await redis.ttl(keys.game(gameIds[0]!));
  assert.ok(ttl > 0 && ttl <= 60, `the archived game expires (TTL ${ttl})`);
  await deadLetter(ctx, entries[1]!, { deliveries: 5, error: "bad", consumer: "c1" });
  assert.equal(await archiveBacklog(ctx), 0);
  assert.equal(await redis.xLen(keys.archiveDead), 1);
  assert.equal(await removeIdleConsumers(ctx, 0, "c2"), 1, "the idle consumer c1 is removed");
  await readNewEntries({ ...ctx, redis: reader }, "c2", 1, 10);
  await leaveArchiveGroup(ctx, "c2");
  assert.equal(await removeIdleConsumers(ctx, 0), 0, "c2 left the group itself");
});

test("Cluster: a game's every step runs on one slot: moves, its flag in its bucket, its end; the end's follow-ups run on the players' and the archive's masters", async (t) => {
  const cluster = await clusterFor(t, { replicas: 0 });
  const { config, keys } = clusterConfig(cluster);
  const redis = await connected(t, config);
  const ctx = { redis, keys, config };
  // Two players on two masters: at least one of them is not on the game's.
  const on = (id: string) => cluster.masterOf(slotOf(cluster, keys.live(id)));
  const white = { id: uniqueName("w"), username: "white" };
  let black = { id: uniqueName("b"), username: "black" };
  while (on(black.id) === on(white.id)) black = { id: uniqueName("b"), username: "black" };
  const gameId = await startGame(ctx, white, black, { timeControl: "1+0" });
  assert.equal(slotOf(cluster, keys.deadlinesOf(gameId)), slotOf(cluster, keys.game(gameId)));

  for (const [uci, userId] of [
    ["e2e4", white.id],
    ["e7e5", black.id],
  ] as const) {
    const view = (await loadLiveGame(ctx, gameId))!;
    const plan = planMove(view, userId, uci, view.ply);
    assert.ok(plan.ok);
    assert.equal((await commitMove(ctx, view, plan)).code, "OK", uci);
  }
  const deadline = Number(await redis.hGet(keys.game(gameId), "deadline"));
  assert.equal(await redis.zScore(keys.deadlinesOf(gameId), `game:${gameId}`), deadline);

  // A poller over every bucket (one script per slot) claims a member made due early; the game's
  // step finds its deadline not passed and puts it back, in its bucket.
  await redis.zAdd(keys.deadlinesOf(gameId), { score: 0, value: `game:${gameId}` });
  const app = { ...ctx, log: pino({ enabled: false }) } as unknown as AppContext;
  const poller = startDeadlines(app, { game: handleGameDeadline }, { pollMs: 20 });
  t.after(() => poller.stop());
  for (let i = 0; i < 100; i++) {
    if ((await redis.zScore(keys.deadlinesOf(gameId), `game:${gameId}`)) === deadline) break;
    await sleep(50);
  }
  assert.equal(await redis.zScore(keys.deadlinesOf(gameId), `game:${gameId}`), deadline);

  const view = (await loadLiveGame(ctx, gameId))!;
  const reply = await commitAction(ctx, view, "resign", "white", false);
  assert.ok(reply.code === "OK" && reply.event === "ended");
  assert.equal(await redis.get(keys.live(white.id)), null, "white freed on its master");
  assert.equal(await redis.get(keys.live(black.id)), null, "black freed on its master");
  const queued = await redis.xRange(keys.archive, "-", "+");
  assert.deepEqual(
    (queued ?? []).map((e) => e?.message.gameId),
    [gameId],
    "queued for archiving",
  );
  assert.equal(await redis.zCard(keys.deadlinesOf(gameId)), 0, "no deadline nor intent left");
});

test("Cluster: a master SIGKILLed; commands are refused during the switch, then served by its promoted replica, subscriptions included", async (t) => {
  const cluster = await clusterFor(t, { nodeTimeoutMs: 1_000 });
  const { config, keys } = clusterConfig(cluster);
  const commands = await connected(t, config);
  const subscriber = await connected(t, config, true);

  const [master, gameId] = [...gamesPerMaster(cluster, keys)][0]!;
  const heard: string[] = [];
  await subscriber.sSubscribe(keys.gameEvents(gameId), (message) => heard.push(message));
  const slot = slotOf(cluster, keys.gamePresence(gameId));
  assert.equal(await announce(commands, keys, gameId, 1), 0);
  while (heard.length < 1) await sleep(20);

  const killed = cluster.nodes.find((n) => n.port === master)!;
  killed.process.kill("SIGKILL");
  const killedAt = Date.now();
  let promotedAt = 0;
  let refused = 0;
  let longestMs = 0;
  let servedAt = 0;
  let unready = 0;
  let readyAt = 0;
  for (let n = 2; (servedAt === 0 || readyAt === 0) && Date.now() - killedAt < 30_000; n++) {
    // What /readyz says: not ready while a master of the slot map does not answer.
    if (await redisReady(commands)) readyAt ||= Date.now();
    else unready++;
    if (promotedAt === 0) {
      try {
        if (cluster.masterOf(slot) !== master) promotedAt = Date.now();
      } catch {
        // no live master serves the slot yet
      }
    }
    const sentAt = Date.now();
    try {
      if (servedAt === 0) await announce(commands, keys, gameId, n);
      servedAt ||= Date.now();
    } catch {
      refused++;
    }
    longestMs = Math.max(longestMs, Date.now() - sentAt);
    await sleep(100);
  }
  assert.ok(unready > 0, "not ready while the master was gone");
  assert.ok(readyAt > 0 && readyAt - promotedAt < 10_000, "ready again after the promotion");
  assert.ok(promotedAt > 0, "the replica was promoted");
  assert.ok(servedAt > 0, "a command was served after the failover");
  assert.ok(refused > 0, "commands sent during the switch were refused");
  assert.ok(longestMs < 6_000, `no command was held: the longest took ${longestMs} ms`);
  const resumedMs = servedAt - promotedAt;
  assert.ok(resumedMs < 10_000, `served ${resumedMs} ms after the promotion`);
  // The crowd the new master announced reached the sharded subscription, moved with its slot.
  const deadline = Date.now() + 10_000;
  while (heard.length < 2 && Date.now() < deadline) await sleep(50);
  assert.equal(heard.length, 2, "the subscriber heard the announcement made after the failover");
  assert.equal((JSON.parse(heard[1]!) as { payload: { watchers: number } }).payload.watchers, 2);
  t.diagnostic(
    `promoted ${promotedAt - killedAt} ms after the kill, served ${resumedMs} ms after that, ready ${readyAt - promotedAt} ms after it; ${refused} refused, the longest ${longestMs} ms`,
  );
});

test("REDIS_CLUSTER_NODES naming no reachable node fails the connection with a message naming it", async () => {
  const config = {
    ...loadConfig(testEnv()),
    REDIS_CLUSTER_NODES: [{ host: "127.0.0.1", port: 1 }],
  };
  const redis = createRedis(config, () => {});
  await assert.rejects(
    connectRedis(config, [redis], 3_000),
    /REDIS_CLUSTER_NODES \(127\.0\.0\.1:1\)/,
  );
  await closeRedis(redis).catch(() => {});
});
