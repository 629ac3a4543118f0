// Chaos: 3 instances behind the stack's nginx, GAMES bot games for DURATION_S, a random instance
// (sometimes two) SIGKILLed and restarted every few seconds, and with `--redis sentinel` the Redis
// primary SIGKILLed once mid-run (a primary, 2 replicas, 3 sentinels; REDIS_WAIT_REPLICAS=1). The
// bots (bench/lib/chaos-bots.ts) reconnect, resync by `v` and resend unacknowledged moves; at the
// end they resign, and every game is checked (bench/lib/chaos-check.ts). Prints the counts and
// exits non-zero on any anomaly. Not a benchmark: scripts/bench.mjs leaves it out.
// Env: GAMES (100), DURATION_S (60), POOL ("5+0"), SEED (1), LOG_LEVEL with INSTANCE_LOG (a file
// for the instances' logs). `--redis single|sentinel`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import {
  freeStablePort,
  NGINX_TRUST_PROXY,
  sleep,
  startFerretdb,
  startNginx,
  startRedis,
  startSentinelGroup,
} from "../scripts/lib/services.js";
import { openStore } from "../test/helpers/store.js";
import { ChaosPlayers } from "./lib/chaos-bots.js";
import { archivedGames, checkGame, settledLeftovers } from "./lib/chaos-check.js";
import { Fleet, killPrimary } from "./lib/chaos-faults.js";
import { library } from "./lib/random-games.js";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { benchEnv, connectBot, reconnections, rng } from "./lib/stats.js";

const GAMES = Number(process.env.GAMES ?? 100);
const DURATION_S = Number(process.env.DURATION_S ?? 60);
const POOL = process.env.POOL ?? "5+0";
const SEED = Number(process.env.SEED ?? 1);
const INSTANCES = 3;
/** Every game over for both players within this long after the stop, else it is an anomaly. */
const DRAIN_MS = 30_000;

type Topology = "single" | "sentinel";

function topologyArg(argv: string[]): Topology {
  const i = argv.indexOf("--redis");
  const value =
    i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith("--redis="))?.slice(8) ?? "single");
  if (value === "single" || value === "sentinel") return value;
  if (value === "cluster") {
    console.error(
      "chaos: --redis cluster is not supported yet (the server does not run on Redis Cluster)",
    );
  } else {
    console.error(`chaos: unknown --redis ${value ?? ""} (single or sentinel)`);
  }
  process.exit(2);
}

async function main(topology: Topology): Promise<number> {
  const cleanups: (() => unknown)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse())
      await Promise.resolve()
        .then(cleanup)
        .catch(() => {});
    cleanups.length = 0;
  };
  process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));
  process.once("SIGTERM", () => void stopAll().then(() => process.exit(143)));
  const t0 = Date.now();
  const secs = (from: number) => ((Date.now() - from) / 1000).toFixed(1);
  try {
    const random = rng(SEED);
    const ferret = await startFerretdb();
    cleanups.push(ferret.stop);
    const extra: Record<string, string> = {
      TRUST_PROXY: NGINX_TRUST_PROXY,
      SHUTDOWN_TIMEOUT_MS: "3000",
      // A dead instance's archive entries are taken over after this, not the default 30 s.
      ARCHIVE_CLAIM_IDLE_MS: "5000",
      // With INSTANCE_LOG=file, LOG_LEVEL=warn (say) shows what the instances saw.
      ...(process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {}),
    };
    let group: Awaited<ReturnType<typeof startSentinelGroup>> | null = null;
    let redisUrl: string;
    if (topology === "sentinel") {
      group = await startSentinelGroup({ replicas: 2 });
      cleanups.push(group.stop);
      Object.assign(extra, group.env, { REDIS_WAIT_REPLICAS: "1" });
      redisUrl = group.nodes[0]!.url; // not used: REDIS_SENTINELS wins
    } else {
      const redis = await startRedis();
      cleanups.push(redis.stop);
      redisUrl = redis.url;
    }
    const env = benchEnv({ url: redisUrl }, ferret, extra);
    const fleet = await Fleet.start(env, INSTANCES);
    cleanups.push(() => fleet.stop());
    const nginxDir = mkdtempSync(join(tmpdir(), "chess-chaos-nginx-"));
    const nginx = await startNginx(await freeStablePort(), fleet.ports, nginxDir);
    cleanups.push(async () => {
      await nginx.stop();
      rmSync(nginxDir, { recursive: true, force: true });
    });

    const players = new ChaosPlayers(library(100), POOL);
    cleanups.push(() => players.close());
    for (let i = 0; i < 2 * GAMES; i += 50) {
      const batch = Array.from({ length: Math.min(50, 2 * GAMES - i) }, () =>
        connectBot(nginx.url, { reconnect: true }),
      );
      for (const { socket, user } of await Promise.all(batch)) players.add(socket, user.id);
    }
    console.log(
      `chaos on ${topology === "sentinel" ? "Redis under Sentinel (primary, 2 replicas, 3 sentinels; REDIS_WAIT_REPLICAS=1)" : "one Redis"}: ${INSTANCES} instances behind nginx, ${2 * GAMES} bots, pool ${POOL}, ${DURATION_S} s`,
    );
    const lag = monitorEventLoopDelay({ resolution: 20 });
    lag.enable();
    const watchdog = setInterval(() => players.watch(), 1_000);
    cleanups.push(() => clearInterval(watchdog));
    players.start();

    // Faults until the run time is over.
    const started = Date.now();
    const endAt = started + DURATION_S * 1000;
    let failovers = 0;
    let primaryKill: Promise<void> | null = null;
    const faultProblems: string[] = [];
    while (Date.now() < endAt) {
      await sleep(Math.min(endAt - Date.now(), 2_000 + Math.floor(random() * 3_000)));
      if (Date.now() >= endAt - 1_000) break;
      if (
        group !== null &&
        primaryKill === null &&
        Date.now() >= started + (DURATION_S * 1000) / 2
      ) {
        const g = group;
        primaryKill = killPrimary(g).then(
          (promoted) => {
            if (promoted !== null) failovers++;
            else faultProblems.push("the sentinels promoted no replica within 30 s");
          },
          (err: unknown) => void faultProblems.push(`killing the primary failed: ${String(err)}`),
        );
      }
      await fleet.strike(random() < 0.25 ? 2 : 1, random);
    }
    await primaryKill;
    await fleet.settle();

    // The stop: resign, leave the queues, wait for every game to end for both players.
    players.drain();
    const drainedFrom = Date.now();
    const drainEnd = Date.now() + DRAIN_MS;
    while (Date.now() < drainEnd && !players.settled()) await sleep(250);
    for (let round = 0; round < 3; round++) {
      for (const bot of players.bots) players.cancel(bot);
      await sleep(1_000);
      while (Date.now() < drainEnd && !players.settled()) await sleep(250);
    }

    // The checker.
    const down = players.disconnected();
    if (down > 0) console.log(`${down} bots have no connection at the end of the drain`);
    const checkedFrom = Date.now();
    const drained = secs(drainedFrom);
    const anomalies = [...players.anomalies, ...fleet.problems, ...faultProblems];
    const games = [...players.games.values()];
    const mongo = new MongoClient(env.MONGO_URL!);
    cleanups.push(() => mongo.close());
    const docs = await archivedGames(
      mongo.db(),
      games.map((g) => g.id),
      20_000,
    );
    for (const g of games) anomalies.push(...checkGame(g, docs.get(g.id) ?? null));
    const store = await openStore(env);
    cleanups.push(store.close);
    const nudge = () => players.bots.forEach((b) => players.cancel(b));
    anomalies.push(
      ...(await settledLeftovers(store.redis, store.keys, players.bots, games, 20_000, nudge)),
    );

    const moves = games.reduce((n, g) => n + (docs.get(g.id)?.moves.length ?? 0), 0);
    const c = players.counts;
    const report = {
      games: games.length,
      moves,
      ackedMoves: c.moves,
      instanceKills: fleet.kills,
      failovers,
      reconnects: c.reconnects,
      resyncs: c.resyncs,
      resends: c.resends,
      duplicateEvents: c.duplicates,
      missedStarts: c.missedStarts,
      restartedSockets: c.restartedSockets,
      anomalies: anomalies.length,
    };
    const byReason = new Map<string, number>();
    for (const g of games) {
      const reason = docs.get(g.id)?.reason ?? "not archived";
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    console.log(
      `games ${report.games} (${[...byReason].map(([r, n]) => `${r} ${n}`).join(", ")}), moves ${moves} (acknowledged ${c.moves}), instance kills ${fleet.kills}, failovers ${failovers}, reconnects ${c.reconnects}, resyncs ${c.resyncs}, resends ${c.resends}, duplicate events ${c.duplicates}, games learned late ${c.missedStarts}, stalled reconnections restarted ${c.restartedSockets}, anomalies ${anomalies.length}`,
    );
    for (const a of anomalies.slice(0, 50)) console.log(`  anomaly: ${a}`);
    if (anomalies.length > 50) console.log(`  … and ${anomalies.length - 50} more`);
    console.log(
      `time: ${secs(t0)} s in all (set-up ${((started - t0) / 1000).toFixed(1)} s, run ${DURATION_S} s, drain ${drained} s, check ${secs(checkedFrom)} s)`,
    );
    console.log(`report: ${JSON.stringify(report)}`);
    const lagMs = (ns: number) => (ns / 1e6).toFixed(0);
    console.log(
      `bots' sockets: ${[...reconnections].map(([k, n]) => `${k} ${n}`).join(", ")}; harness event-loop lag p99 ${lagMs(lag.percentile(99))} ms, max ${lagMs(lag.max)} ms`,
    );
    return anomalies.length === 0 ? 0 : 1;
  } finally {
    await stopAll();
  }
}

main(topologyArg(process.argv.slice(2))).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
