// Move throughput benchmark: two instances (child processes) on a throwaway Redis and FerretDB,
// GAMES concurrent games with white on one instance and black on the other, each replaying a
// random legal game made beforehand with chess.js (never on the serving path). Reports moves/s,
// ack latency, Redis commands per move (INFO commandstats deltas) and instance CPU per move.
// REDIS=sentinel runs it on a primary, a replica and three sentinels instead of one Redis, and
// WAIT_REPLICAS=1 there makes every move wait for the replica (REDIS_WAIT_REPLICAS). REDIS=cluster
// runs it on a 3-master Redis Cluster (no replicas), with Redis's CPU reported per master.
// WATCHERS=N adds a third instance with N watching sockets per game (game/WATCH), and reports what
// they got: every move, the client/CROWD messages per second, and the Redis work per watched move.
// CHURN_MS=T makes every watcher leave and come back (UNWATCH, WATCH) every T ms while measuring,
// so that each game's crowd changes faster than client/CROWD may be sent (at most once a second).
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Chess } from "chess.js";
import type { Socket } from "socket.io-client";
import {
  redisCli,
  startFerretdb,
  startRedis,
  startRedisCluster,
  startSentinelGroup,
  type Service,
} from "../scripts/lib/services.js";
import { spawnInstance, type ChildInstance } from "../test/helpers/instances.js";
import { startGame } from "../test/helpers/live-games.js";
import { openStore, type StoreHandle } from "../test/helpers/store.js";
import { benchEnv, commandStats, connectBot, cpuMs, rng, scrapeMetrics } from "./lib/stats.js";

const GAMES = Number(process.env.GAMES ?? 200);
const PLIES = Number(process.env.PLIES ?? 60);
/** Plies every game plays before measuring starts (JIT warm-up, first connections to Redis). */
const WARMUP = Number(process.env.WARMUP ?? 20);
const SEED = 42;
/** Offered load in moves/s over all games (a think time before each move); 0 = as fast as possible. */
const RATE = Number(process.env.RATE ?? 0);
const THINK_MS = RATE > 0 ? (GAMES * 1000) / RATE : 0;
const TOPOLOGY = process.env.REDIS ?? "single";
const WAIT_REPLICAS = process.env.WAIT_REPLICAS ?? "0";
const WATCHERS = Number(process.env.WATCHERS ?? 0);
const CHURN_MS = Number(process.env.CHURN_MS ?? 0);

/** Random legal games of exactly PLIES plies (retrying those that end early). */
function randomGames(count: number): string[][] {
  const random = rng(SEED);
  const games: string[][] = [];
  while (games.length < count) {
    const chess = new Chess();
    const moves: string[] = [];
    while (moves.length < PLIES && !chess.isGameOver()) {
      const legal = chess.moves({ verbose: true });
      const m = legal[Math.floor(random() * legal.length)]!;
      chess.move(m);
      moves.push(m.from + m.to + (m.promotion ?? ""));
    }
    if (moves.length === PLIES && !chess.isGameOver()) games.push(moves);
  }
  return games;
}

/** An instance's event-loop lag (since the previous scrape) and GC seconds by kind, from /metrics. */
async function instanceStats(url: string): Promise<Map<string, number>> {
  const text = await scrapeMetrics(url);
  const stats = new Map<string, number>();
  for (const m of text.matchAll(/^nodejs_eventloop_lag_(p50|p99|max)_seconds (\S+)$/gm))
    stats.set(`lag ${m[1]}`, Number(m[2]));
  for (const m of text.matchAll(/^nodejs_gc_duration_seconds_sum\{kind="(\w+)"\} (\S+)$/gm))
    stats.set(`gc ${m[1]}`, Number(m[2]));
  return stats;
}

/** Calls so far of every Redis command over the nodes (scripts' own commands included). */
function nodesCommandStats(nodes: Service[]): Map<string, number> {
  const stats = new Map<string, number>();
  for (const node of nodes) {
    const info = redisCli(node.port, "info", "commandstats");
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
      stats.set(m[1]!, (stats.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return stats;
}

async function main() {
  // Under Sentinel, the primary is the Redis whose commands and CPU are counted; on a Cluster,
  // every master.
  const group = TOPOLOGY === "sentinel" ? await startSentinelGroup({ appendOnly: false }) : null;
  const cluster = TOPOLOGY === "cluster" ? await startRedisCluster({ replicas: 0 }) : null;
  const nodes = cluster ? cluster.nodes : [group ? group.nodes[0]! : await startRedis()];
  const redis = nodes[0]!;
  const ferret = await startFerretdb();
  const env = benchEnv(redis, ferret, {
    FIRST_MOVE_MS: "600000",
    ...group?.env,
    ...cluster?.env,
    REDIS_WAIT_REPLICAS: WAIT_REPLICAS,
  });
  const where = cluster
    ? "a Cluster of 3 masters (no replicas)"
    : group
      ? "primary + replica + 3 sentinels"
      : "one server";
  console.log(`Redis: ${where}, REDIS_WAIT_REPLICAS=${WAIT_REPLICAS}`);
  const store = await openStore(env);
  const [a, b] = [await spawnInstance(env), await spawnInstance(env)];
  const c = WATCHERS > 0 ? await spawnInstance(env) : null;
  const bots: Socket[] = [];
  try {
    await run(store, a, b, c, nodes, bots);
  } finally {
    for (const s of bots) s.close();
    await Promise.allSettled([a.stop(), b.stop(), c?.stop()]);
    await store.close();
    const stopRedis = cluster ? cluster.stop() : group ? group.stop() : redis.stop();
    await Promise.allSettled([stopRedis, ferret.stop()]);
  }
}

async function run(
  store: StoreHandle,
  a: ChildInstance,
  b: ChildInstance,
  c: ChildInstance | null,
  nodes: Service[],
  bots: Socket[],
) {
  const scripts = randomGames(GAMES);
  const latencies: number[] = [];
  const games: { gameId: string; sockets: Socket[]; moves: string[] }[] = [];
  for (let i = 0; i < GAMES; i++) {
    const white = await connectBot(a.url);
    const black = await connectBot(b.url);
    bots.push(white.socket, black.socket);
    const gameId = await startGame(store, white.user, black.user, { timeControl: "30+20" });
    for (const s of [white.socket, black.socket])
      await s.emitWithAck("action", { type: "game/PLAYER_READY", payload: { gameId } });
    games.push({ gameId, sockets: [white.socket, black.socket], moves: scripts[i]! });
  }
  // Watchers, on the third instance: each counts the moves and the crowd messages it gets.
  const watched = { moves: 0, crowds: 0, playerCrowds: 0, measuring: false };
  const watchers: { socket: Socket; gameId: string; watching: boolean }[] = [];
  if (c !== null) {
    // What a player of each game hears of its crowd (white's socket).
    for (const g of games)
      g.sockets[0]!.on("action", (a: { type: string }) => {
        if (a.type === "client/CROWD" && watched.measuring) watched.playerCrowds++;
      });
  }
  for (const g of games) {
    for (let w = 0; c !== null && w < WATCHERS; w++) {
      const watcher = await connectBot(c.url);
      bots.push(watcher.socket);
      watcher.socket.on("action", (a: { type: string }) => {
        if (a.type === "client/UPDATE_GAME") watched.moves++;
        else if (a.type === "client/CROWD" && watched.measuring) watched.crowds++;
      });
      await watcher.socket.emitWithAck("action", {
        type: "game/WATCH",
        payload: { gameId: g.gameId },
      });
      watchers.push({ socket: watcher.socket, gameId: g.gameId, watching: true });
    }
  }
  // Measuring starts once every game has played WARMUP plies: they wait for each other there.
  let measuring = false;
  let started = 0;
  const waiting: (() => void)[] = [];
  let snapshot!: Awaited<ReturnType<typeof takeSnapshot>>;
  // On a Cluster the commands of every master; elsewhere the one server the client talks to.
  const commandsNow = async () =>
    nodes.length > 1 ? nodesCommandStats(nodes) : commandStats(store.redis);
  const takeSnapshot = async () => ({
    commands: await commandsNow(),
    instances: await Promise.all([a.url, b.url].map(instanceStats)),
    cpu: [cpuMs(a.process.pid!), cpuMs(b.process.pid!)],
    redis: nodes.map((n) => cpuMs(n.process.pid!)),
    bots: process.cpuUsage(),
  });
  const botsLag = monitorEventLoopDelay({ resolution: 10 });
  const startMeasuring = async () => {
    snapshot = await takeSnapshot();
    botsLag.enable();
    measuring = true;
    watched.measuring = true;
    if (CHURN_MS > 0) {
      const churn = setInterval(() => {
        if (!watched.measuring) return clearInterval(churn);
        for (const w of watchers) {
          w.watching = !w.watching;
          const type = w.watching ? "game/WATCH" : "game/UNWATCH";
          w.socket.emit("action", { type, payload: { gameId: w.gameId } }, () => {});
        }
      }, CHURN_MS);
    }
    started = performance.now();
    for (const go of waiting.splice(0)) go();
  };
  // Each side moves when it sees the opponent's move, as a player would: the instance that
  // delivers UPDATE_GAME has updated its cached copy of the game before the socket gets it.
  const seen: number[] = [];
  // A game that makes no progress for 10 s has lost an event or had a move refused: say which.
  let lastProgress = performance.now();
  const progress = new Map<string, number>();
  const watchdog = new Promise<never>((_, reject) => {
    const timer = setInterval(() => {
      if (performance.now() - lastProgress < 10_000) return;
      clearInterval(timer);
      const stuck = games.filter((g) => (progress.get(g.gameId) ?? 0) < g.moves.length);
      void Promise.all(
        stuck.slice(0, 3).map(async (g) => ({
          gameId: g.gameId,
          seenPly: progress.get(g.gameId) ?? 0,
          stored: await store.redis.hmGet(store.keys.game(g.gameId), ["ply", "status", "reason"]),
        })),
      ).then((d) => reject(new Error(`${stuck.length} games stalled: ${JSON.stringify(d)}`)));
    }, 1_000);
    timer.unref();
  });
  const played = Promise.all(
    games.map(
      (g) =>
        new Promise<void>((resolve, reject) => {
          const sentAt = new Map<number, number>();
          const send = (ply: number) => {
            if (ply >= g.moves.length) return resolve();
            if (ply === WARMUP && !measuring) {
              waiting.push(() => send(ply));
              if (waiting.length === GAMES) void startMeasuring();
              return;
            }
            if (THINK_MS > 0) setTimeout(() => sendNow(ply), THINK_MS * (0.5 + Math.random()));
            else sendNow(ply);
          };
          const sendNow = (ply: number) => {
            const t0 = performance.now();
            if (measuring) sentAt.set(ply + 1, t0);
            g.sockets[ply % 2]!.emit(
              "action",
              { type: "game/PLAYER_MOVE", payload: { gameId: g.gameId, move: g.moves[ply], ply } },
              (ack: { ok: boolean }) => {
                if (sentAt.has(ply + 1)) latencies.push(performance.now() - t0);
                if (ack.ok) return;
                const fields = ["ply", "status", "reason", "result", "fen", "reps"];
                void store.redis.hmGet(store.keys.game(g.gameId), fields).then((stored) => {
                  reject(
                    new Error(
                      `move ${ply} refused: ${JSON.stringify(ack)} ${JSON.stringify(stored)}`,
                    ),
                  );
                });
              },
            );
          };
          g.sockets.forEach((socket, side) => {
            socket.on("action", (a: { type: string; payload: { ply: number } }) => {
              if (a.type !== "client/UPDATE_GAME" || a.payload.ply % 2 !== side) return;
              const sent = sentAt.get(a.payload.ply);
              if (sent !== undefined) seen.push(performance.now() - sent);
              lastProgress = performance.now();
              progress.set(g.gameId, a.payload.ply);
              send(a.payload.ply);
            });
          });
          send(0);
        }),
    ),
  );
  await Promise.race([played, watchdog]);
  const seconds = (performance.now() - started) / 1000;
  watched.measuring = false;
  botsLag.disable();
  const after = await commandsNow();
  const instancesAfter = await Promise.all([a.url, b.url].map(instanceStats));
  const { commands: before, instances: instancesBefore, cpu: cpuBefore } = snapshot;
  const { redis: redisBefore, bots: botsBefore } = snapshot;
  const cpu = [cpuMs(a.process.pid!) - cpuBefore[0]!, cpuMs(b.process.pid!) - cpuBefore[1]!];
  const nodeCpu = nodes.map((n, i) => cpuMs(n.process.pid!) - redisBefore[i]!);
  const redisCpu = nodeCpu.reduce((x, y) => x + y, 0);
  const botsCpu = process.cpuUsage(botsBefore);
  const moves = GAMES * (PLIES - WARMUP);
  latencies.sort((x, y) => x - y);
  const pct = (xs: number[], p: number) =>
    xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!.toFixed(1);
  const delta = [...after]
    .map(([cmd, n]) => [cmd, n - (before.get(cmd) ?? 0)] as const)
    .filter(([, n]) => n > 0);
  const perMove = (cmd: string) => ((delta.find(([c]) => c === cmd)?.[1] ?? 0) / moves).toFixed(2);
  console.log(
    `moves: ${moves} in ${seconds.toFixed(2)} s = ${(moves / seconds).toFixed(0)} moves/s (${GAMES} games, plies ${WARMUP + 1}-${PLIES} of each measured)`,
  );
  console.log(
    `ack latency ms: p50 ${pct(latencies, 0.5)}, p90 ${pct(latencies, 0.9)}, p99 ${pct(latencies, 0.99)}, max ${pct(latencies, 1)}`,
  );
  seen.sort((x, y) => x - y);
  console.log(`move → opponent sees it, ms: p50 ${pct(seen, 0.5)}, p99 ${pct(seen, 0.99)}`);
  console.log(
    `instance CPU per move: ${(((cpu[0]! + cpu[1]!) * 1000) / moves).toFixed(0)} µs (both instances together)`,
  );
  const share = (ms: number) => `${((ms / 1000 / seconds) * 100).toFixed(0)} % of a core`;
  console.log(
    `CPU during the run: instances ${share(cpu[0]! + cpu[1]!)}, Redis ${share(redisCpu)}, bots ${share((botsCpu.user + botsCpu.system) / 1000)}`,
  );
  if (nodes.length > 1) {
    console.log(`Redis CPU per master: ${nodeCpu.map((ms) => share(ms)).join(", ")}`);
  }
  const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;
  instancesAfter.forEach((stats, i) => {
    const gc = (kind: string) =>
      ms((stats.get(`gc ${kind}`) ?? 0) - (instancesBefore[i]!.get(`gc ${kind}`) ?? 0));
    console.log(
      `instance ${i}: event-loop lag p50 ${ms(stats.get("lag p50")!)}, p99 ${ms(stats.get("lag p99")!)}, max ${ms(stats.get("lag max")!)}; GC minor ${gc("minor")}, major ${gc("major")}, incremental ${gc("incremental")}`,
    );
  });
  console.log(
    `bots' event-loop lag: p50 ${(botsLag.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(botsLag.percentile(99) / 1e6).toFixed(1)} ms, max ${(botsLag.max / 1e6).toFixed(1)} ms`,
  );
  // commandstats count a script's own commands too: the move script publishes UPDATE_GAME once
  // per commit, so SPUBLISHes beyond the EVALSHAs were sent by an instance itself.
  const count = (cmd: string) => delta.find(([c]) => c === cmd)?.[1] ?? 0;
  const clientPublishes = Math.max(0, count("spublish") - count("evalsha"));
  console.log(
    `Redis round trips per move: ${((count("evalsha") + count("hgetall") + clientPublishes) / moves).toFixed(2)} (evalsha ${perMove("evalsha")}, which publishes UPDATE_GAME inside; spublish by instances ${(clientPublishes / moves).toFixed(2)}; hgetall ${perMove("hgetall")})`,
  );
  if (c !== null) {
    // Every watcher should have every move: WARMUP plies before it was counted are included.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const expected = GAMES * WATCHERS * PLIES;
    const churn = CHURN_MS > 0 ? `, each leaving and coming back every ${CHURN_MS} ms` : "";
    console.log(
      `watchers: ${GAMES * WATCHERS} on a third instance (${WATCHERS} per game${churn})` +
        (CHURN_MS > 0
          ? ""
          : `; moves received ${watched.moves} of ${expected} (${expected - watched.moves} missing)`),
    );
    console.log(
      `client/CROWD while measuring: ${(watched.playerCrowds / seconds).toFixed(1)}/s to one player of each game in all = ${(watched.playerCrowds / seconds / GAMES).toFixed(2)}/s per game; ${(watched.crowds / seconds).toFixed(1)}/s to the watchers in all`,
    );
  }
  console.log(
    `all commandstats deltas / move (incl. inside scripts and deadline polling): ${delta.map(([c, n]) => `${c}=${(n / moves).toFixed(2)}`).join(" ")}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
