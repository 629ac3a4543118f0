// Lifecycle benchmark: impatient players, and what goes wrong for them. Two instances (child
// processes) on a throwaway Redis and FerretDB; 2 × GAMES guest bots, half on each instance, queue
// with autoAccept; white moves the instant client/START_GAME arrives, each side the instant the
// opponent's client/UPDATE_GAME does, replaying random legal games made with chess.js (fixed seed);
// at the end of its script the side to move resigns, and on client/GAME_OVER both queue again.
// Counts refused acks and STALLED games: something a bot should have got (the opponent's
// UPDATE_GAME of an acked move, an ack, START_GAME, GAME_OVER) has not come within 10 s. Exits 0
// when it finds stalls (it reports them), non-zero on its own errors.
// Then the same bots, with the same scripts, play against a bare Socket.IO relay (bench/lib/
// relay.ts: no Redis, no rules) in its own process, with the server stopped, and a table sets the
// two side by side with their ratios.
// Env: GAMES (200, or a list to sweep), INSTANCES (2, or a list), DURATION_S (20), WARMUP_S (3),
// POOL ("5+0"), FIRST_MOVE_MS (15000), RESULTS (a path prefix: writes PREFIX.json and PREFIX.svg).
import { writeFileSync } from "node:fs";
import type { Socket } from "socket.io-client";
import { sleep, startFerretdb, startRedis } from "../scripts/lib/services.js";
import { spawnInstance } from "../test/helpers/instances.js";
import { openStore, type StoreHandle } from "../test/helpers/store.js";
import { chart } from "./lib/chart.js";
import { library, type Script } from "./lib/random-games.js";
import { spawnRelay } from "./lib/relay.js";
import { benchEnv, commandStats, connectBot, cpuMs, instanceLag, pct, rng } from "./lib/stats.js";

/** Concurrent games: one count, or a sweep ("50,100,200,400"), each run against both targets. */
const SWEEP = (process.env.GAMES ?? "200").split(",").map(Number);
/** How many instances of the chess server: one count or a list ("1,2,3"). */
const INSTANCE_COUNTS = (process.env.INSTANCES ?? "2").split(",").map(Number);
/** Where the results JSON and the SVG chart go ("" = nowhere). */
const RESULTS = process.env.RESULTS ?? "";
const DURATION_S = Number(process.env.DURATION_S ?? 20);
const WARMUP_S = Number(process.env.WARMUP_S ?? 3);
const POOL = process.env.POOL ?? "5+0";
const FIRST_MOVE_MS = process.env.FIRST_MOVE_MS ?? "15000";
const STALL_MS = 10_000;

type Ack = { ok: true } | { ok: false; error: { code: string } };

interface Bot {
  socket: Socket;
  id: string;
  instance: number;
  /** When it sent START_MATCHMAKING, until its START_GAME. */
  queuedAt: number | null;
  queueStalled: boolean;
}

interface Game {
  id: string;
  bots: [Bot, Bot]; // white, black
  script: Script;
  cross: boolean;
  /** Started after the warm-up: counted in the report. */
  measured: boolean;
  startedAt: number;
  got: Set<Bot>; // START_GAME received
  over: Set<Bot>; // GAME_OVER received
  reason: string | null;
  /** The last move sent: its ply, whether it was acked, whether in the measured window. */
  ply: number;
  acked: boolean;
  inWindow: boolean;
  /** "update" (the opponent's UPDATE_GAME), else what the awaited GAME_OVER follows. */
  awaits: string;
  /** Since when the game awaits it (the move's send time for "update"). */
  since: number;
  stalled: { kind: string; ply: number } | null;
}

const now = () => performance.now();
const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

/** What the bots play against: the chess server's instances, or the bare relay. */
interface Target {
  name: string;
  urls: string[];
  /** The processes whose CPU is the target's. */
  pids: number[];
  /** Our server: its Redis (commands, CPU) and /metrics; absent for the relay. */
  server?: { store: StoreHandle; redisPid: number };
}

/** The figures of one run, for the table that sets ours beside the relay's. */
interface Row {
  name: string;
  /** Concurrent games (bot pairs) and the chess server's instances (0: the relay). */
  g: number;
  instances: number;
  games: number;
  movesPerS: number;
  p50: string;
  p99: string;
  queueP50: string;
  stalls: number;
  refused: number;
  cpuPerMoveUs: number;
  /** Redis's CPU per move (0 for the relay, which has none). */
  redisPerMoveUs: number;
  botsShare: number;
}

async function measure(target: Target, GAMES: number): Promise<Row> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const relay = target.server === undefined;
  try {
    const bots: Bot[] = [];
    cleanups.push(() => Promise.resolve(bots.forEach((b) => b.socket.close())));
    const random = rng(7);
    const scripts = library(100);
    for (let i = 0; i < 2 * GAMES; i += 50) {
      const batch = Array.from({ length: Math.min(50, 2 * GAMES - i) }, async (_, j) => {
        const instance = (i + j) % target.urls.length;
        const { socket, user } = await connectBot(target.urls[instance]!);
        return { socket, id: user.id, instance, queuedAt: null, queueStalled: false };
      });
      bots.push(...(await Promise.all(batch)));
    }

    let phase: "warmup" | "measure" | "drain" = "warmup";
    let fatal: unknown = null;
    let disconnects = 0;
    let lastStartAt = 0;
    let queueStalls = 0;
    let moves = 0;
    const byUser = new Map(bots.map((b) => [b.id, b]));
    const games = new Map<string, Game>();
    const finished = new Map<string, number>();
    const refused = new Map<string, number>();
    const moveLatency: number[] = [];
    const queueLatency: number[] = [];
    const guard =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        try {
          fn(...args);
        } catch (err) {
          fatal ??= err;
        }
      };
    const emit = (bot: Bot, type: string, payload: unknown, done?: (ack: Ack) => void) =>
      bot.socket.emit(
        "action",
        { type, payload },
        guard((ack: Ack) => {
          // The bench's own cancel at the stop is answered NOT_IN_QUEUE once the bot is matched.
          const own = phase === "drain" && type === "server/CANCEL_MATCHMAKING";
          if (!ack.ok && phase !== "warmup" && !own) bump(refused, `${type} ${ack.error.code}`);
          done?.(ack);
        }),
      );
    const queue = (bot: Bot) => {
      if (phase === "drain") return;
      bot.queuedAt ??= now(); // a retry keeps the first request's time
      emit(bot, "server/START_MATCHMAKING", { timeControl: POOL, autoAccept: true }, (ack) => {
        if (!ack.ok)
          setTimeout(
            guard(() => bot.queuedAt !== null && queue(bot)),
            1_000,
          );
      });
    };
    const send = (g: Game, ply: number) => {
      const mover = g.bots[ply % 2]!;
      const inWindow = phase === "measure";
      Object.assign(g, { ply, acked: false, inWindow, since: now(), awaits: "update" });
      if (ply >= g.script.moves.length) {
        g.awaits = g.script.ends && !relay ? "the last move" : "resigning";
        // The relay knows no rules: a mating script ends by resignation there.
        if (!g.script.ends || relay) emit(mover, "game/CONCEDE", { gameId: g.id });
        return;
      }
      emit(mover, "game/PLAYER_MOVE", { gameId: g.id, move: g.script.moves[ply], ply }, (ack) => {
        if (ack.ok && inWindow) moves++;
        if (g.ply !== ply || g.over.size > 0) return;
        if (ack.ok) g.acked = true;
        else Object.assign(g, { awaits: "a refused move", since: now() });
      });
    };
    const newGame = (id: string, white: Bot, black: Bot): Game => ({
      id,
      bots: [white, black],
      script: scripts[games.size % scripts.length]!,
      cross: white.instance !== black.instance,
      measured: phase !== "warmup",
      startedAt: now(),
      got: new Set(),
      over: new Set(),
      reason: null,
      ply: 0,
      acked: false,
      inWindow: false,
      awaits: "update",
      since: now(),
      stalled: null,
    });
    type Started = { id: string; white: { id: string }; black: { id: string } };
    const onStart = (bot: Bot, { id, white, black }: Started) => {
      let g = games.get(id);
      if (g === undefined)
        games.set(id, (g = newGame(id, byUser.get(white.id)!, byUser.get(black.id)!)));
      lastStartAt = now();
      g.got.add(bot);
      if (bot.queuedAt !== null && g.measured) queueLatency.push(now() - bot.queuedAt);
      bot.queuedAt = null;
      if (bot === g.bots[0]) send(g, 0);
    };
    const onUpdate = (bot: Bot, p: { gameId: string; ply: number }) => {
      const g = games.get(p.gameId);
      // Only the opponent's move (the mover gets its own UPDATE_GAME too), and only the awaited one.
      if (g === undefined || p.ply % 2 !== g.bots.indexOf(bot) || p.ply !== g.ply + 1) return;
      if (g.awaits !== "update") return;
      if (g.inWindow) moveLatency.push(now() - g.since);
      if (g.over.size === 0) send(g, p.ply);
    };
    const onOver = (bot: Bot, p: { gameId: string; reason: string }) => {
      const g = games.get(p.gameId);
      if (g !== undefined && !g.over.has(bot) && g.over.add(bot).size === 1) {
        Object.assign(g, { reason: p.reason, since: now() });
        if (g.measured) bump(finished, p.reason);
      }
      queue(bot);
    };
    for (const bot of bots) {
      bot.socket.on(
        "action",
        guard((a: { type: string; payload: never }) => {
          if (a.type === "client/START_GAME") onStart(bot, (a.payload as { game: never }).game);
          else if (a.type === "client/UPDATE_GAME") onUpdate(bot, a.payload);
          else if (a.type === "client/GAME_OVER") onOver(bot, a.payload);
        }),
      );
      bot.socket.on("disconnect", () => {
        if (phase !== "drain") disconnects++;
      });
    }
    const stallOf = (g: Game): string | null => {
      const t = now();
      if (g.got.size < 2 && t - g.startedAt > STALL_MS) return "START_GAME reached one player only";
      if (g.over.size === 2 || t - g.since <= STALL_MS) return null;
      if (g.over.size === 1) return "GAME_OVER reached one player only";
      if (g.awaits !== "update") return `no GAME_OVER after ${g.awaits}`;
      return g.acked
        ? "UPDATE_GAME of an acked move never reached the opponent"
        : "move never acked";
    };
    const watchdog = setInterval(
      guard(() => {
        for (const g of games.values()) {
          const kind = g.stalled === null ? stallOf(g) : null;
          if (kind !== null) g.stalled = { kind, ply: g.ply };
        }
        for (const b of bots) {
          if (b.queuedAt === null || b.queueStalled || now() - b.queuedAt <= STALL_MS) continue;
          b.queueStalled = true;
          queueStalls++;
        }
      }),
      250,
    );
    const waitOrFail = async (ms: number, until: () => boolean = () => false) => {
      const end = now() + ms;
      while (now() < end && !until()) {
        await sleep(50);
        if (fatal !== null) throw fatal as Error;
      }
    };

    const server = target.server;
    const snapshot = async () => ({
      commands: server ? await commandStats(server.store.redis) : new Map<string, number>(),
      lag: server ? await Promise.all(target.urls.map(instanceLag)) : [],
      cpu: target.pids.reduce((sum, pid) => sum + cpuMs(pid), 0),
      redis: server ? cpuMs(server.redisPid) : 0,
      bots: process.cpuUsage(),
    });
    // The first requests in a shuffled order, a few ms apart: guests are paired in order of
    // waiting, so this mixes cross- and same-instance pairs (bots alternate instances).
    const order = bots.map((bot) => ({ bot, key: random() })).sort((x, y) => x.key - y.key);
    order.forEach(({ bot }, k) =>
      setTimeout(
        guard(() => queue(bot)),
        k * (2000 / bots.length),
      ),
    );
    await waitOrFail(WARMUP_S * 1000);
    const before = await snapshot();
    phase = "measure";
    const windowStart = now();
    await waitOrFail(DURATION_S * 1000);
    phase = "drain";
    const seconds = (now() - windowStart) / 1000;
    const after = await snapshot();
    // Stop queueing; let every game end or be found stalled (bounded: a stall shows in 10 s).
    let cancelling = 0;
    let matchedAtStop = 0;
    for (const bot of bots.filter((x) => x.queuedAt !== null)) {
      cancelling++;
      emit(bot, "server/CANCEL_MATCHMAKING", {}, (ack) => {
        cancelling--;
        if (ack.ok) bot.queuedAt = null;
        else matchedAtStop++;
      });
    }
    const settled = () =>
      cancelling === 0 &&
      now() - lastStartAt > 500 &&
      [...games.values()].every((g) => g.over.size === 2 || g.stalled !== null);
    await waitOrFail(STALL_MS + 2_000, settled);
    clearInterval(watchdog);

    // The report.
    const measured = [...games.values()].filter((g) => g.measured);
    const cross = measured.filter((g) => g.cross).length;
    const list = (m: Map<string, number>) =>
      m.size === 0 ? "none" : [...m].map(([k, n]) => `${k} ${n}`).join(", ");
    console.log(`\n-- ${target.name}`);
    console.log(
      `${2 * GAMES} bots on ${target.urls.length} process(es), pool ${POOL}, FIRST_MOVE_MS ${FIRST_MOVE_MS}, ${seconds.toFixed(1)} s measured after ${WARMUP_S} s of warm-up`,
    );
    console.log(
      `games started: ${measured.length} (${(measured.length / seconds).toFixed(1)}/s; cross-instance ${cross}, same-instance ${measured.length - cross})`,
    );
    const unfinished = measured.filter((g) => g.over.size === 0).length;
    console.log(`games finished: ${list(finished)}; not finished at the end: ${unfinished}`);
    console.log(`moves: ${moves} = ${(moves / seconds).toFixed(0)} moves/s`);
    moveLatency.sort((x, y) => x - y);
    queueLatency.sort((x, y) => x - y);
    console.log(
      `move sent → opponent's UPDATE_GAME, ms: p50 ${pct(moveLatency, 0.5)}, p99 ${pct(moveLatency, 0.99)}, max ${pct(moveLatency, 1)}`,
    );
    console.log(
      `queue → START_GAME, ms: p50 ${pct(queueLatency, 0.5)}, p99 ${pct(queueLatency, 0.99)}, max ${pct(queueLatency, 1)}`,
    );
    console.log(
      `refused acks: ${list(refused)} (not counted: ${matchedAtStop} cancels at the stop of bots already matched)`,
    );
    const stalled = measured.filter((g) => g.stalled !== null);
    const stalledCross = stalled.filter((g) => g.cross).length;
    console.log(
      `stalled games: ${stalled.length} (cross-instance ${stalledCross} of ${cross}, same-instance ${stalled.length - stalledCross} of ${measured.length - cross})`,
    );
    const kinds = new Map<string, Map<number, [number, number]>>();
    for (const g of stalled) {
      const plies = kinds.get(g.stalled!.kind) ?? new Map<number, [number, number]>();
      kinds.set(g.stalled!.kind, plies);
      const n = plies.get(g.stalled!.ply) ?? [0, 0];
      n[g.cross ? 0 : 1]++;
      plies.set(g.stalled!.ply, n);
    }
    for (const [kind, plies] of kinds) {
      const byPly = [...plies]
        .sort(([x], [y]) => x - y)
        .map(([ply, [c, s]]) => `ply ${ply}: ${c} cross, ${s} same`);
      console.log(`  ${kind}: ${byPly.join("; ")}`);
    }
    if (stalled.length > 0) {
      const later = new Map<string, number>();
      for (const g of stalled) bump(later, g.over.size > 0 ? g.reason! : "not finished");
      console.log(`  how the stalled games ended: ${list(later)}`);
    }
    const warm = [...games.values()].filter((g) => !g.measured);
    const warmStalled = warm.filter((g) => g.stalled !== null);
    console.log(
      `warm-up games (not counted above): ${warm.length} started, ${warmStalled.length} stalled (${warmStalled.filter((g) => g.cross).length} cross-instance)`,
    );
    console.log(
      `bots queued > 10 s without START_GAME: ${queueStalls}; disconnects: ${disconnects}`,
    );
    const cpu = after.cpu - before.cpu;
    const botsMs =
      (after.bots.user + after.bots.system - before.bots.user - before.bots.system) / 1000;
    const share = (ms: number) => `${((ms / 1000 / seconds) * 100).toFixed(0)} % of a core`;
    const redisMs = after.redis - before.redis;
    console.log(
      `CPU per move of ${relay ? "the relay" : "the instances"}: ${((cpu * 1000) / moves).toFixed(0)} µs (${share(cpu)}${relay ? "" : `; Redis ${((redisMs * 1000) / moves).toFixed(0)} µs a move, ${share(redisMs)}`}, bots ${share(botsMs)})`,
    );
    after.lag.forEach((lag, i) => {
      const ms = (k: string) => `${((lag.get(k) ?? 0) * 1000).toFixed(1)} ms`;
      console.log(
        `instance ${i}: event-loop lag p50 ${ms("p50")}, p99 ${ms("p99")}, max ${ms("max")}`,
      );
    });
    const delta = [...after.commands]
      .map(([cmd, n]) => [cmd, n - (before.commands.get(cmd) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort(([, x], [, y]) => y - x);
    const total = delta.reduce((sum, [, n]) => sum + n, 0);
    if (!relay)
      console.log(
        `Redis commands per move (incl. inside scripts, matchmaking, deadlines, archiving): ${(total / moves).toFixed(2)}: ${delta.map(([c, n]) => `${c}=${(n / moves).toFixed(2)}`).join(" ")}`,
      );
    const refusedCount = [...refused.values()].reduce((sum, n) => sum + n, 0);
    return {
      name: target.name,
      g: GAMES,
      instances: relay ? 0 : target.urls.length,
      games: measured.length,
      movesPerS: moves / seconds,
      p50: pct(moveLatency, 0.5),
      p99: pct(moveLatency, 0.99),
      queueP50: pct(queueLatency, 0.5),
      stalls: stalled.length + queueStalls,
      refused: refusedCount,
      cpuPerMoveUs: (cpu * 1000) / moves,
      redisPerMoveUs: (redisMs * 1000) / moves,
      botsShare: botsMs / 1000 / seconds,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

async function main() {
  const cleanups: (() => Promise<unknown>)[] = [];
  const rows: Row[] = [];
  try {
    const redis = await startRedis();
    cleanups.push(redis.stop);
    const ferret = await startFerretdb();
    cleanups.push(ferret.stop);
    const env = benchEnv(redis, ferret, { FIRST_MOVE_MS, SHUTDOWN_TIMEOUT_MS: "3000" });
    const store = await openStore(env);
    cleanups.push(store.close);
    for (const g of SWEEP) {
      const pair: Row[] = [];
      for (const n of INSTANCE_COUNTS) {
        const instances = await Promise.all(Array.from({ length: n }, () => spawnInstance(env)));
        try {
          pair.push(
            await measure(
              {
                name: `chess server: ${n} instance${n > 1 ? "s" : ""}, Redis, FerretDB`,
                urls: instances.map((i) => i.url),
                pids: instances.map((i) => i.process.pid!),
                server: { store, redisPid: redis.process.pid! },
              },
              g,
            ),
          );
        } finally {
          // The relay runs alone: the server's processes are stopped first.
          await Promise.all(instances.map((i) => i.stop()));
        }
      }
      const relay = await spawnRelay();
      try {
        pair.push(
          await measure({ name: "bare Socket.IO relay", urls: [relay.url], pids: [relay.pid] }, g),
        );
      } finally {
        await relay.stop();
      }
      printTable(pair);
      rows.push(...pair);
    }
    if (RESULTS !== "") writeResults(RESULTS, rows);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

function printTable(rows: Row[]): void {
  const bare = rows.at(-1)!;
  const ratio = (x: number, y: number) => (y > 0 ? `${(x / y).toFixed(2)}×` : "-");
  console.log(
    `\n| ${bare.g} games | games started | moves/s | opponent sees a move p50 / p99 ms | queue → start p50 ms | stalls | refused | CPU µs/move | Redis µs/move | bots' CPU |`,
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.games} | ${r.movesPerS.toFixed(0)} | ${r.p50} / ${r.p99} | ${r.queueP50} | ${r.stalls} | ${r.refused} | ${r.cpuPerMoveUs.toFixed(0)} | ${r.instances > 0 ? r.redisPerMoveUs.toFixed(0) : "-"} | ${(r.botsShare * 100).toFixed(0)} % of a core |`,
    );
  for (const ours of rows.slice(0, -1))
    console.log(
      `| ${ours.instances} instance(s) / relay | ${ratio(ours.games, bare.games)} | **${ratio(ours.movesPerS, bare.movesPerS)}** | ${ratio(Number(ours.p50), Number(bare.p50))} / ${ratio(Number(ours.p99), Number(bare.p99))} | | | | ${ratio(ours.cpuPerMoveUs, bare.cpuPerMoveUs)} | | |`,
    );
}

/** PREFIX.json (every row, with the run's settings) and PREFIX.svg (bench/lib/chart.ts). */
function writeResults(prefix: string, rows: Row[]): void {
  const settings = { DURATION_S, WARMUP_S, POOL, FIRST_MOVE_MS, date: new Date().toISOString() };
  writeFileSync(`${prefix}.json`, `${JSON.stringify({ settings, rows }, null, 2)}\n`);
  writeFileSync(`${prefix}.svg`, chart(rows));
  console.log(`\nwrote ${prefix}.json and ${prefix}.svg`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
