// Idle sockets and what things weigh: SOCKETS guest sockets (10,000) connect to one instance (a
// child process) in batches, and sit idle; then as many to the bare relay (bench/lib/relay.ts),
// the yardstick of what Socket.IO itself holds. Reports how long they took to connect (each socket's
// handshake to its client/RESUME_SESSION, and all of them), the instance's resident memory per
// socket, Redis memory per idle guest session, and Redis memory per live game (LIVE_GAMES games
// created as matchmaking creates them, then after MOVES plies each).
// Env: SOCKETS (10000), BATCH (250 handshakes in flight), LIVE_GAMES (500), MOVES (40).
import { readFileSync } from "node:fs";
import { Chess } from "chess.js";
import type { Socket } from "socket.io-client";
import { sleep, startFerretdb, startRedis } from "../scripts/lib/services.js";
import { spawnInstance } from "../test/helpers/instances.js";
import { startGame } from "../test/helpers/live-games.js";
import { openStore, type StoreHandle } from "../test/helpers/store.js";
import { commitMove, loadLiveGame } from "../src/store/game-commands.js";
import { planMove, viewAfterMove } from "../src/domain/game.js";
import { spawnRelay } from "./lib/relay.js";
import { benchEnv, connectBot, pct, rng, scrapeMetrics } from "./lib/stats.js";

const SOCKETS = Number(process.env.SOCKETS ?? 10_000);
const BATCH = Number(process.env.BATCH ?? 250);
const LIVE_GAMES = Number(process.env.LIVE_GAMES ?? 500);
const MOVES = Number(process.env.MOVES ?? 40);

/** Resident memory of a process, in bytes, from /proc. */
function rss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB$/m)!;
  return Number(line[1]) * 1024;
}

async function usedMemory(store: StoreHandle): Promise<number> {
  const info = await store.redis.info("memory");
  return Number(info.match(/^used_memory:(\d+)/m)![1]);
}

/** The instance's V8 heap in use, in bytes, from /metrics. */
async function heapUsed(url: string): Promise<number> {
  const m = (await scrapeMetrics(url)).match(/^nodejs_heap_size_used_bytes (\S+)$/m);
  return Number(m?.[1] ?? NaN);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * SOCKETS idle guest sockets on the process at `url`: how long they took and the resident memory
 * each added, with `more` said after them; closes them again.
 */
async function idleSockets(url: string, pid: number, more: () => Promise<string>): Promise<string> {
  const sockets: Socket[] = [];
  try {
    // A few sockets first, so that what the first connection loads is not counted per socket.
    for (let i = 0; i < 10; i++) sockets.push((await connectBot(url)).socket);
    await sleep(1_000);
    const rssBefore = rss(pid);
    const handshakes: number[] = [];
    const started = performance.now();
    for (let i = 0; i < SOCKETS; i += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, SOCKETS - i) }, async () => {
        const t0 = performance.now();
        const bot = await connectBot(url);
        handshakes.push(performance.now() - t0);
        return bot.socket;
      });
      sockets.push(...(await Promise.all(batch)));
    }
    const seconds = (performance.now() - started) / 1000;
    await sleep(3_000); // let the young generation settle
    const rssAfter = rss(pid);
    handshakes.sort((a, b) => a - b);
    return (
      `${SOCKETS} idle sockets, ${BATCH} handshakes in flight, connected in ${seconds.toFixed(1)} s (${(SOCKETS / seconds).toFixed(0)}/s), a handshake to its RESUME_SESSION p50 ${pct(handshakes, 0.5)} ms, p99 ${pct(handshakes, 0.99)} ms; ` +
      `resident memory ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MB = ${kb((rssAfter - rssBefore) / SOCKETS)} a socket` +
      (await more())
    );
  } finally {
    for (const s of sockets) s.close();
  }
}

async function main() {
  const redis = await startRedis();
  const ferret = await startFerretdb();
  const env = benchEnv(redis, ferret, { FIRST_MOVE_MS: "3600000" });
  const store = await openStore(env);
  const instance = await spawnInstance(env);
  try {
    // Live games as matchmaking creates them, then played on for MOVES plies each.
    const before = await usedMemory(store);
    const players = (i: number) => [
      { id: `w${i}`, username: `w${i}` },
      { id: `b${i}`, username: `b${i}` },
    ];
    const ids: string[] = [];
    for (let i = 0; i < LIVE_GAMES; i += 100) {
      const batch = Array.from({ length: Math.min(100, LIVE_GAMES - i) }, (_, j) => {
        const [w, b] = players(i + j);
        return startGame(store, w!, b!, { timeControl: "30+20" });
      });
      ids.push(...(await Promise.all(batch)));
    }
    const created = await usedMemory(store);
    const random = rng(3);
    for (const id of ids) {
      const chess = new Chess();
      let view = (await loadLiveGame(store, id))!;
      for (let ply = 0; ply < MOVES && !chess.isGameOver(); ply++) {
        const legal = chess.moves({ verbose: true });
        const m = legal[Math.floor(random() * legal.length)]!;
        chess.move(m);
        const userId = ply % 2 === 0 ? view.whiteId : view.blackId;
        const plan = planMove(view, userId, m.from + m.to + (m.promotion ?? ""), ply);
        if (!plan.ok) throw new Error(`bench move refused: ${plan.code}`);
        const reply = await commitMove(store, view, plan);
        if (reply.code !== "OK") throw new Error(`bench move not committed: ${reply.code}`);
        view = viewAfterMove(view, { ply: reply.ply, fen: plan.fen, drawOffer: null });
      }
    }
    const played = await usedMemory(store);
    console.log(
      `Redis memory per live game (hash, event log, deadline, live states of both players): ${kb((created - before) / LIVE_GAMES)} at its start, ${kb((played - before) / LIVE_GAMES)} after ${MOVES} plies`,
    );

    const redisBefore = await usedMemory(store);
    const heapBefore = await heapUsed(instance.url);
    const ours = await idleSockets(instance.url, instance.process.pid!, async () => {
      const heapAfter = await heapUsed(instance.url);
      const redisAfter = await usedMemory(store);
      return `; V8 heap in use ${kb((heapAfter - heapBefore) / SOCKETS)} a socket (the handshakes' garbage included until a GC); Redis ${kb((redisAfter - redisBefore) / SOCKETS)} a guest session (the session, the user's set of sessions, the guest name)`;
    });
    console.log(`the chess server: ${ours}`);
    await instance.stop();
    const relay = await spawnRelay();
    try {
      console.log(
        `the bare relay:   ${await idleSockets(relay.url, relay.pid, () => Promise.resolve(""))}`,
      );
    } finally {
      await relay.stop();
    }
  } finally {
    await instance.stop();
    await store.close();
    await Promise.allSettled([redis.stop(), ferret.stop()]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
