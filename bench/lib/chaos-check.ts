// The chaos run's verdict, once every game is over: each game's archived document in MongoDB
// against what both players saw and what was acknowledged to them, and Redis left with nothing
// live: no player's live state, queue entry, proposal, deadline or archive entry (pending or
// given up on). Redis and the archiver get a bounded time to drain before what is left counts.
import type { Db } from "mongodb";
import type { Keys } from "../../src/store/keys.js";
import type { Redis } from "../../src/store/redis.js";
import { sleep } from "../../scripts/lib/services.js";
import type { ChaosBot, ChaosGame, PlayerView } from "./chaos-bots.js";

interface ArchivedGame {
  _id: string;
  moves: string[];
  result: string | null;
  reason: string | null;
  winner: string | null;
}

const COLORS = ["white", "black"] as const;
const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((m, i) => m === b[i]);
const outcome = (o: { result: string | null; reason: string | null; winner: string | null }) =>
  `${o.result ?? "no result"} ${o.reason} (winner ${o.winner ?? "none"})`;

/** What is wrong with one game, given its document (null: never archived). */
export function checkGame(g: ChaosGame, doc: ArchivedGame | null): string[] {
  const out: string[] = [];
  const seen = (view: PlayerView, i: number) =>
    `${COLORS[i]} saw ${view.moves.length} moves (v ${view.v}), ${view.over === null ? "no end" : `${outcome(view.over)} by ${view.overVia}`}`;
  const views = g.views.map(seen).join("; ");
  g.views.forEach((view, i) => {
    const bot = g.players[i]!;
    const p = bot.pending;
    const state = `${bot.socket.connected ? "connected" : "disconnected"}, ${bot.disconnects} disconnects, ${p === null ? "nothing pending" : `ply ${p.ply} ${p.concede ? "resign" : "move"} pending after ${p.attempts} attempts`}, its current game ${bot.game?.id ?? "none"}`;
    if (view.over === null) out.push(`${g.id}: no end reached ${COLORS[i]} (${views}; ${state})`);
  });
  if (doc === null) return [...out, `${g.id}: not archived (${views})`];
  const stored = `MongoDB has ${doc.moves.length} moves, ${outcome(doc)}`;
  g.views.forEach((view, i) => {
    if (!same(view.moves, doc.moves))
      out.push(
        `${g.id}: ${COLORS[i]} saw ${view.moves.join(" ")}; MongoDB has ${doc.moves.join(" ")}`,
      );
    if (view.over !== null && outcome(view.over) !== outcome(doc))
      out.push(`${g.id}: ${COLORS[i]} was told ${outcome(view.over)}; ${stored}`);
  });
  for (const [ply, uci] of g.acked)
    if (doc.moves[ply] !== uci)
      out.push(`${g.id}: ${uci} at ply ${ply} was acknowledged; ${stored}: ${doc.moves.join(" ")}`);
  const prefix = g.script.moves.slice(0, doc.moves.length);
  if (!same(prefix, doc.moves))
    out.push(
      `${g.id}: MongoDB's moves ${doc.moves.join(" ")} are not the script's ${prefix.join(" ")}`,
    );
  return out;
}

/** The archived documents of `ids`, waiting up to `timeoutMs` for the archiver to write them. */
export async function archivedGames(
  db: Db,
  ids: string[],
  timeoutMs: number,
): Promise<Map<string, ArchivedGame>> {
  const found = new Map<string, ArchivedGame>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length === 0) return found;
    const docs = await db
      .collection<ArchivedGame>("games")
      .find({ _id: { $in: missing } })
      .project<ArchivedGame>({ moves: 1, result: 1, reason: 1, winner: 1 })
      .toArray();
    for (const d of docs) found.set(d._id, d);
    if (Date.now() > deadline) return found;
    if (docs.length < missing.length) await sleep(500);
  }
}

const send = <T>(redis: Redis, args: string[]) => redis.sendCommand<T>(args);

async function scan(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await send<[string, string[]]>(redis, [
      "SCAN",
      cursor,
      "MATCH",
      pattern,
      "COUNT",
      "1000",
    ]);
    cursor = String(next);
    keys.push(...batch.map(String));
  } while (cursor !== "0");
  return keys;
}

/** What live state is left in Redis that should not be, now that every game is over. */
export async function leftovers(
  redis: Redis,
  keys: Keys,
  bots: readonly ChaosBot[],
  games: readonly ChaosGame[],
): Promise<string[]> {
  const out: string[] = [];
  const lives = await Promise.all(
    bots.map((b) => send<string | null>(redis, ["GET", keys.live(b.userId)])),
  );
  lives.forEach((raw, i) => {
    if (raw !== null) out.push(`player ${bots[i]!.userId} not idle: ${raw}`);
  });
  for (const key of await scan(redis, `${keys.prefix}:queue:*`)) {
    const type = String(await send(redis, ["TYPE", key]));
    const size = Number(await send(redis, [type === "zset" ? "ZCARD" : "HLEN", key]));
    if (size > 0) out.push(`queue ${key} holds ${size} entries`);
  }
  for (const key of await scan(redis, `${keys.prefix}:proposal:*`))
    out.push(`proposal left: ${key}`);
  const due: string[] = [];
  for (const set of keys.deadlineSets)
    due.push(...(await send<string[]>(redis, ["ZRANGE", set, "0", "-1"])));
  if (due.length > 0) out.push(`deadlines left: ${due.join(", ")}`);
  const backlog = Number(await send(redis, ["XLEN", keys.archive]));
  if (backlog > 0) out.push(`archive stream holds ${backlog} entries`);
  const dead = Number(await send(redis, ["XLEN", keys.archiveDead]));
  if (dead > 0) out.push(`${dead} archive entries given up on (dead-letter stream)`);
  const statuses = await Promise.all(
    games.map((g) => send<string | null>(redis, ["HGET", keys.game(g.id), "status"])),
  );
  statuses.forEach((status, i) => {
    if (status !== null && status !== "ended")
      out.push(`game ${games[i]!.id} still ${status} in Redis`);
  });
  return out;
}

/** leftovers(), asked again until none are left or `timeoutMs` has passed. */
export async function settledLeftovers(
  redis: Redis,
  keys: Keys,
  bots: readonly ChaosBot[],
  games: readonly ChaosGame[],
  timeoutMs: number,
  nudge: () => void,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await leftovers(redis, keys, bots, games).catch((err: unknown) => [
      `Redis not readable: ${String(err)}`,
    ]);
    if (left.length === 0 || Date.now() > deadline) return left;
    nudge();
    await sleep(1_000);
  }
}
