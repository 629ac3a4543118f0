// Waiting for replicas (REDIS_WAIT_REPLICAS): the WAIT after each state change, sent on the
// connection that made the change (WAIT counts that connection's writes), grouped per connection.
// redis.ts registers what each client it builds needs for it: its durability, and on a Cluster
// how to reach the master of a key.
import { AppError } from "../protocol/errors.js";
import type { Redis } from "./redis.js";

/** How many replicas must hold a change before it is acknowledged, per client (see `durable`). */
const durability = new WeakMap<object, { replicas: number; timeoutMs: number }>();

/**
 * Cluster clients' connection to the master of a key, for WAIT: node-redis would send a bare
 * WAIT to every master and answer their minimum (its command tips), where the writes of a step
 * are on one master's connection.
 */
const masterOfKey = new WeakMap<object, (key: string) => Promise<Redis>>();

export function setDurability(client: Redis, want: { replicas: number; timeoutMs: number }): void {
  durability.set(client, want);
}

export function setMasterOfKey(client: Redis, master: (key: string) => Promise<Redis>): void {
  masterOfKey.set(client, master);
}

/** A Cluster client: each master has its own connection, and its own writes to WAIT for. */
export function writesOneSlotPerMaster(redis: Redis): boolean {
  return masterOfKey.has(redis);
}

/** The connection to the master of `key` that a step needing WAIT is sent on (Cluster only). */
export function masterForWait(redis: Redis): ((key: string) => Promise<Redis>) | undefined {
  return durability.get(redis)?.replicas ? masterOfKey.get(redis) : undefined;
}

/**
 * Waits until the configured number of replicas hold every write this client made so far
 * (`REDIS_WAIT_REPLICAS`; nothing to wait for when it is 0). Called after each state change and
 * before its acknowledgement: a change not replicated in time is answered INTERNAL (it may still
 * stand; the client learns the outcome from the events).
 */
export async function durable(redis: Redis, ...keys: string[]): Promise<void> {
  if (!masterOfKey.has(redis)) return replicated(redis); // one WAIT counts the connection's writes
  // On a Cluster each key's master waits for its own replicas.
  await Promise.all(keys.map((key) => replicated(redis, key) ?? Promise.resolve()));
}

/**
 * `durable`'s WAIT, sent now; undefined (no promise made) when there is nothing to wait for.
 * WAIT counts the writes made before it on its connection: it is sent on `via` when given (the
 * connection the step used), else, on a Cluster, on the own client of the master of `key`, the
 * key the step wrote (a step writes one slot).
 */
export function replicated(redis: Redis, key?: string, via?: Redis): Promise<void> | undefined {
  const want = durability.get(redis);
  if (!want || want.replicas === 0) return undefined;
  const wait = ["WAIT", String(want.replicas), String(want.timeoutMs)];
  const master = masterOfKey.get(redis);
  const sent = via
    ? groupWait(via, wait)
    : master && key !== undefined
      ? master(key).then((node) => groupWait(node, wait))
      : groupWait(redis, wait);
  return sent.then((acked) => {
    if (acked < want.replicas) {
      throw new AppError("INTERNAL", `the change reached ${acked} of ${want.replicas} replicas`);
    }
  });
}

/** Per connection: its WAIT under way, and the one that follows it, shared by whoever needs it. */
const waits = new WeakMap<
  Redis,
  { inFlight: Promise<number> | null; next: Promise<number> | null }
>();

/**
 * A WAIT that counts every write sent on `conn` so far, in groups: Redis holds a connection's
 * later commands while its WAIT blocks, so one WAIT per step would run the connection's steps one
 * replica round trip at a time (under chaos a RESUME_SESSION's reads waited seconds behind them).
 * With a WAIT under way, the steps sent meanwhile share the next one, sent when it returns: it
 * counts all their writes, as WAIT counts every write made before it on its connection. A step
 * then waits at most two WAITs.
 */
function groupWait(conn: Redis, wait: string[]): Promise<number> {
  let group = waits.get(conn);
  if (group === undefined) waits.set(conn, (group = { inFlight: null, next: null }));
  const g = group;
  const send = () => {
    const sent = conn.sendCommand<number>(wait);
    g.inFlight = sent;
    const done = () => void (g.inFlight === sent && (g.inFlight = null));
    sent.then(done, done);
    return sent;
  };
  if (g.inFlight === null) return send();
  g.next ??= g.inFlight.then(
    () => ((g.next = null), send()),
    () => ((g.next = null), send()),
  );
  return g.next;
}
