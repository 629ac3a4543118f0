// Helpers of the socket benchmarks: a seeded random source, process CPU, Redis commandstats, an
// instance's event-loop lag from /metrics, percentiles and a guest bot's connection. A subfolder,
// so scripts/bench.mjs (which runs every bench/*.ts) does not take it for a benchmark.
import { readFileSync } from "node:fs";
import { io, type Socket } from "socket.io-client";
import { uniqueName } from "../../test/helpers/env.js";
import type { StoreHandle } from "../../test/helpers/store.js";

/** The same sequence in [0, 1) for the same seed. */
export function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
}

/** Calls so far of every Redis command (scripts' own commands included), from INFO commandstats. */
export async function commandStats(redis: StoreHandle["redis"]): Promise<Map<string, number>> {
  const info = await redis.info("commandstats");
  const stats = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats.set(m[1]!, Number(m[2]));
  return stats;
}

/** The environment of a benchmark's instances on its own Redis and FerretDB: no limits, no logs. */
export function benchEnv(
  redis: { url: string },
  ferret: { url: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    MONGO_URL: `${ferret.url}/${uniqueName("bench")}`,
    REDIS_PREFIX: uniqueName("b"),
    RATE_LIMITS: "off",
    LOG_LEVEL: "silent",
    METRICS_TOKEN: BENCH_METRICS_TOKEN,
    ...extra,
  };
}

/** The METRICS_TOKEN the benchmarks give their instances, so that they can read /metrics. */
export const BENCH_METRICS_TOKEN = "bench-metrics-token";

/** An instance's /metrics page, as Prometheus reads it. */
export async function scrapeMetrics(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` },
  });
  return res.text();
}

/** An instance's event-loop lag (since the previous scrape), in seconds, from /metrics. */
export async function instanceLag(url: string): Promise<Map<string, number>> {
  const text = await scrapeMetrics(url);
  const stats = new Map<string, number>();
  for (const m of text.matchAll(/^nodejs_eventloop_lag_(p50|p99|max)_seconds (\S+)$/gm))
    stats.set(m[1]!, Number(m[2]));
  return stats;
}

/** The p-quantile (0..1) of sorted values, with one decimal; "-" when there are none. */
export function pct(sorted: readonly number[], p: number): string {
  if (sorted.length === 0) return "-";
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!.toFixed(1);
}

/** What the reconnecting bots' sockets went through, by kind, for a harness's report. */
export const reconnections = new Map<string, number>();

/**
 * A new guest's socket, once its client/RESUME_SESSION has arrived. With `reconnect`, the socket
 * reconnects by itself (quickly: an instance killed under it is back within seconds) and presents
 * the guest's session each time, so that it comes back as the same user.
 */
export function connectBot(
  url: string,
  { reconnect = false }: { reconnect?: boolean } = {},
): Promise<{ socket: Socket; user: { id: string; username: string }; sessionId: string }> {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: reconnect,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1_000,
      // A handshake to an instance killed in the middle of it is given up on this soon (not 20 s).
      timeout: reconnect ? 3_000 : 20_000,
    });
    if (!reconnect) socket.once("connect_error", reject);
    else {
      const tally = (what: string) => reconnections.set(what, (reconnections.get(what) ?? 0) + 1);
      socket.io.on("reconnect_attempt", () => tally("attempts"));
      socket.io.on("reconnect", () => tally("reconnected"));
      socket.on("connect_error", (err) => tally(`connect_error "${err.message}"`));
      // Socket.IO does not retry a handshake the server refused (an instance still starting, its
      // Redis not ready) nor a disconnection the server chose: a client tries again by itself.
      const again = () => setTimeout(() => socket.io.opts.query && socket.connect(), 500);
      socket.on("connect_error", () => void (socket.active || again()));
      socket.on("disconnect", (reason) => void (reason === "io server disconnect" && again()));
    }
    type Resumed = { payload: { sessionId: string; user: { id: string; username: string } } };
    socket.once("action", ({ payload }: Resumed) => {
      // The Manager builds each reconnection's handshake from its options.
      if (reconnect) socket.io.opts.query = { session: payload.sessionId };
      resolve({ socket, user: payload.user, sessionId: payload.sessionId });
    });
  });
}
