// Redis clients (node-redis: it works with the sharded Socket.IO adapter on Redis Cluster too).
// This module alone knows which topology the instance runs on (one Redis, Sentinel, or Cluster):
// everything else sees a `Redis`, runs its steps as Lua scripts (lua-script.ts) and calls
// `durable()` (replication.ts) after a state change.
import calculateSlot from "cluster-key-slot";
import { createClient, createCluster, createSentinel, type RedisClientType } from "redis";
import type { Config } from "../config.js";
import { setDurability, setMasterOfKey, writesOneSlotPerMaster } from "./replication.js";

export type Redis = RedisClientType;

/** Where Redis is: one server, a Sentinel-watched primary with replicas, or a Cluster. */
export type RedisTopology =
  | { kind: "single"; url: string }
  | { kind: "sentinel"; sentinels: RedisNode[]; master: string }
  | { kind: "cluster"; nodes: RedisNode[] };

export interface RedisNode {
  host: string;
  port: number;
}

/** From dist/src/store/ back to the source folder of the scripts. */

const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 2_000);

/** Cluster clients' own clients of every master, for what reads the whole keyspace (SCAN). */
const mastersOf = new WeakMap<object, () => Promise<Redis[]>>();

export function redisTopology(config: Config): RedisTopology {
  if (config.REDIS_CLUSTER_NODES.length > 0) {
    return { kind: "cluster", nodes: config.REDIS_CLUSTER_NODES };
  }
  if (config.REDIS_SENTINELS.length > 0) {
    return {
      kind: "sentinel",
      sentinels: config.REDIS_SENTINELS,
      master: config.REDIS_SENTINEL_MASTER,
    };
  }
  return { kind: "single", url: config.REDIS_URL };
}

/**
 * A client of the configured topology that keeps retrying with a capped backoff: an instance
 * never crashes for Redis.
 *
 * No client sets a per-command timeout. node-redis's default (5 s) only bounds how long a command
 * waits in the offline queue, and it costs an `AbortSignal.timeout` per command: about a third of
 * an instance's CPU per move (docs/benchmarks.md). Instead:
 * - `queueWhileOffline: false` (the command client): a command sent while Redis is unreachable is
 *   refused at once; a player's move gets INTERNAL and can be sent again, rather than committed
 *   later with the wait charged to the mover's clock;
 * - `queueWhileOffline: true` (the adapter's clients): a publish made after a commit waits for the
 *   connection to come back instead of being lost, and so do subscriptions.
 * A command already sent is rejected when its connection drops, either way.
 *
 * Under Sentinel the client asks the sentinels for the primary and follows it through a failover
 * (node-redis's `createSentinel`, one connection to the primary, so that `WAIT` counts the writes
 * that came before it on that connection). It is given the shape of a plain client: the two
 * methods whose signatures differ (`sendCommand`, `quit`) are adapted here, and `duplicate`
 * builds another client of the same topology.
 */
export function createRedis(
  config: Config,
  onError: (err: Error) => void,
  { queueWhileOffline = true }: { queueWhileOffline?: boolean } = {},
): Redis {
  const topology = redisTopology(config);
  let client: Redis;
  const duplicate = () => createRedis(config, onError, { queueWhileOffline });
  if (topology.kind === "sentinel") {
    client = sentinelClient(topology, queueWhileOffline, duplicate);
  } else if (topology.kind === "cluster") {
    client = clusterClient(topology, queueWhileOffline, duplicate);
  } else {
    client = createClient({
      url: topology.url,
      socket: { reconnectStrategy },
      disableOfflineQueue: !queueWhileOffline,
      commandOptions: { timeout: 0 },
    });
  }
  client.on("error", onError);
  setDurability(client, {
    replicas: config.REDIS_WAIT_REPLICAS,
    timeoutMs: config.REDIS_WAIT_TIMEOUT_MS,
  });
  return client;
}

function sentinelClient(
  topology: Extract<RedisTopology, { kind: "sentinel" }>,
  queueWhileOffline: boolean,
  duplicate: () => Redis,
): Redis {
  const sentinel = createSentinel({
    name: topology.master,
    sentinelRootNodes: topology.sentinels,
    RESP: 2,
    masterPoolSize: 1,
    // A command whose connection dropped is not sent again to the next primary: it may have been
    // applied by the old one. The caller gets the error; a player resends with the same ply.
    maxCommandRediscovers: 0,
    // Sentinel answers are checked this often besides the failover events it pushes.
    scanInterval: 2_000,
    nodeClientOptions: {
      socket: { reconnectStrategy },
      disableOfflineQueue: !queueWhileOffline,
    },
    sentinelClientOptions: { socket: { reconnectStrategy } },
    passthroughClientErrorEvents: true,
    commandOptions: { timeout: 0 },
  });
  const send = sentinel.sendCommand.bind(sentinel);
  const shaped = sentinel as unknown as Redis & Record<string, unknown>;
  shaped.sendCommand = (args: Parameters<typeof send>[1], options?: Parameters<typeof send>[2]) =>
    send(false, args, options);
  shaped.quit = (() => sentinel.close()) as unknown as Redis["quit"];
  shaped.duplicate = (() => duplicate()) as unknown as Redis["duplicate"];
  if (queueWhileOffline) return shaped;
  // node-redis's sentinel client holds a command until it has found the new primary, however
  // long that takes: the command client refuses at once instead, as the plain client does.
  // Each command's guarded form is made once, not on every call.
  const guarded = new Map<string, (...args: unknown[]) => unknown>();
  return new Proxy(shaped, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== "function" || typeof name !== "string" || LIFECYCLE.has(name)) {
        return value;
      }
      let command = guarded.get(name);
      if (command === undefined) {
        const method = value as (...a: unknown[]) => unknown;
        command = (...args: unknown[]) =>
          target.isReady
            ? method.apply(target, args)
            : Promise.reject(new Error("no Redis primary is reachable (failover in progress?)"));
        guarded.set(name, command);
      }
      return command;
    },
  });
}

/**
 * A Cluster client (node-redis `createCluster`, one connection per master, replicas unused) in the
 * shape of a plain client. Commands with keys are routed by node-redis; `sendCommand` (the raw
 * form the stream commands use) is routed here by its key: the one after `STREAMS`, else the
 * first argument. node-redis follows `MOVED` and `ASK` and, on a failover, learns the new master
 * from the cluster; its sharded subscriptions move with their slots (node-redis 6).
 */
function clusterClient(
  topology: Extract<RedisTopology, { kind: "cluster" }>,
  queueWhileOffline: boolean,
  duplicate: () => Redis,
): Redis {
  const cluster = createCluster({
    rootNodes: topology.nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })),
    defaults: {
      socket: { reconnectStrategy },
      disableOfflineQueue: !queueWhileOffline,
    },
    RESP: 2,
    commandOptions: { timeout: 0 },
  });
  const send = cluster.sendCommand.bind(cluster);
  const shaped = cluster as unknown as Redis & Record<string, unknown>;
  shaped.sendCommand = ((args: string[], options?: Parameters<typeof send>[3]) =>
    send(routeOf(args), false, args, options)) as unknown as Redis["sendCommand"];
  shaped.quit = (() => cluster.close()) as unknown as Redis["quit"];
  shaped.duplicate = (() => duplicate()) as unknown as Redis["duplicate"];
  setMasterOfKey(shaped, (key) => cluster.getNodeClientForKey(key) as unknown as Promise<Redis>);
  mastersOf.set(shaped, () =>
    Promise.all(cluster.masters.map((m) => cluster.nodeClient(m) as unknown as Promise<Redis>)),
  );
  return shaped;
}

/**
 * The key a raw command is routed by on a Cluster: the first stream after `STREAMS` (XREAD,
 * XREADGROUP), the key after the subcommand (XGROUP, XINFO), else `args[1]`.
 */
function routeOf(args: readonly string[]): string | undefined {
  const command = args[0]?.toUpperCase();
  if (command === "XGROUP" || command === "XINFO") return args[2];
  const streams = args.findIndex((a) => a.toUpperCase() === "STREAMS");
  return streams >= 0 ? args[streams + 1] : args[1];
}

/** The sentinel client's methods that are not commands, and work while no primary answers. */
const LIFECYCLE = new Set([
  "connect",
  "close",
  "destroy",
  "quit",
  "duplicate",
  "on",
  "once",
  "off",
  "emit",
  "addListener",
  "removeListener",
  "removeAllListeners",
  "listeners",
  "listenerCount",
  "getMasterNode",
  "getReplicaNodes",
  "getSentinelNode",
]);

/**
 * Whether Redis can take a step now: the server (or Sentinel's primary) answers PING; on a Cluster,
 * every master of the slot map answers (a master gone, its slots are served by nobody until a
 * replica is promoted and the client has learned it).
 */
export async function redisReady(redis: Redis): Promise<boolean> {
  try {
    const masters = mastersOf.get(redis);
    if (masters === undefined) return redis.isReady && (await redis.ping()) === "PONG";
    const nodes = await masters();
    const pongs = await Promise.all(nodes.map((node) => node.ping()));
    return nodes.length > 0 && pongs.every((p) => p === "PONG");
  } catch {
    return false;
  }
}

/**
 * Every key matching `pattern`: a SCAN of the server, or of each master of a Cluster (a SCAN sent
 * through the cluster client would read one master). For tests and checks, not for a step.
 */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const nodes = (await mastersOf.get(redis)?.()) ?? [redis];
  const found: string[] = [];
  for (const node of nodes) {
    for await (const batch of node.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
      found.push(...batch);
    }
  }
  return found;
}

/**
 * Keys grouped so that each group may be the KEYS of one script: all in one group on one Redis or
 * Sentinel, one group per slot on a Cluster.
 */
export function slotGroups(redis: Redis, keys: readonly string[]): string[][] {
  if (!writesOneSlotPerMaster(redis)) return [[...keys]];
  const bySlot = new Map<number, string[]>();
  for (const key of keys) {
    const slot = calculateSlot(key);
    const group = bySlot.get(slot);
    if (group === undefined) bySlot.set(slot, [key]);
    else group.push(key);
  }
  return [...bySlot.values()];
}

/** How long a starting instance waits for Redis before it gives up, naming what it was given. */
const CONNECT_TIMEOUT_MS = 15_000;

/**
 * Connects the clients of a starting instance. A topology that cannot be reached stops the start
 * with a message naming the variable that describes it (the caller closes the clients).
 */
export async function connectRedis(
  config: Config,
  clients: readonly Redis[],
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection after ${timeoutMs} ms`)), timeoutMs);
  });
  const connected = Promise.all(clients.map((c) => c.connect()));
  connected.catch(() => {}); // when the timeout wins, a later failure is no news
  try {
    await Promise.race([connected, timeout]);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`${describe(redisTopology(config))}: ${reason}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

function describe(topology: RedisTopology): string {
  const nodes = (list: RedisNode[]) => list.map((n) => `${n.host}:${n.port}`).join(",");
  switch (topology.kind) {
    case "single":
      return `REDIS_URL (${topology.url}) unreachable`;
    case "sentinel":
      return `REDIS_SENTINELS (${nodes(topology.sentinels)}, master "${topology.master}"): no primary reachable`;
    case "cluster":
      return `REDIS_CLUSTER_NODES (${nodes(topology.nodes)}): no cluster reachable`;
  }
}

/**
 * Closes a client: QUIT when Redis answers, else the connection is cut. A client can still look
 * ready for a moment after Redis went away (the close is not yet seen), and a QUIT sent then
 * would wait for ever: it gets `waitMs`.
 */
export async function closeRedis(client: Redis, waitMs = 1_000): Promise<void> {
  if (client.isReady) {
    let timer: NodeJS.Timeout | undefined;
    const quit = client.quit().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, waitMs, false)));
    const quitted = await Promise.race([quit, timeout]);
    clearTimeout(timer);
    if (quitted) return;
  }
  if (client.isOpen) client.destroy();
}
