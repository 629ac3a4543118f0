// Benchmark: archive lag under a steady stream of ending games. Starts its own Redis and FerretDB,
// spawns server instances (each runs an archiver), registers players, then ends rated games at a
// fixed rate exactly as the ending script does (game hash + XADD in one step) and measures, per game:
//   insert lag: XADD (the entry id's Redis time) → the game document built for MongoDB (archivedAt,
//               taken just before the insert);
//   done lag:   XADD → archived, both ratings applied and the entry acknowledged, observed as the
//               keyspace event of the EXPIRE that the acknowledging MULTI sets on the game hash.
// Run: npx tsc -p . && node dist/bench/archive-lag.js [games=500] [perSecond=50] [instances=2]
import { randomBytes } from "node:crypto";
import { startFerretdb, startRedis, sleep } from "../scripts/lib/services.js";
import { INITIAL_GLICKO } from "../src/domain/ratings.js";
import type { GameDoc } from "../src/store/archive.js";
import { randomSan, endedGame } from "../test/helpers/chess-fixtures.js";
import { endedGameHash, insertUser, openStores } from "../test/helpers/games.js";
import { spawnInstance, type ChildInstance } from "../test/helpers/instances.js";

const games = Number(process.argv[2] ?? 500);
const perSecond = Number(process.argv[3] ?? 50);
const instanceCount = Number(process.argv[4] ?? 2);
const PLAYERS = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
  };
};

const redisService = await startRedis();
const ferret = await startFerretdb();
const instances: ChildInstance[] = [];
try {
  const env = {
    PORT: "0",
    REDIS_URL: redisService.url,
    MONGO_URL: `${ferret.url}/archive_bench`,
    REDIS_PREFIX: "bench",
    LOG_LEVEL: "silent",
    RATE_LIMITS: "off",
  };
  const stores = await openStores(env);
  const players = [];
  for (let i = 0; i < PLAYERS; i++) players.push(await insertUser(stores.mongo, `player_${i}`));
  for (let i = 0; i < instanceCount; i++) instances.push(await spawnInstance(env));

  // A 60-ply game as the template of every game: only ids, players and times change.
  const template = endedGame({
    id: "template",
    white: { id: "w", username: "w", rating: 1500 },
    black: { id: "b", username: "b", rating: 1500 },
    rated: true,
    san: randomSan(60, 42),
    result: "1-0",
    reason: "resign",
    winner: "white",
    createdAt: 0,
    endedAt: 0,
  });

  const endedAtById = new Map<string, number>();
  const doneAtById = new Map<string, number>();
  // The EXPIRE set on the game hash when its entry is acknowledged, as a keyspace event.
  await stores.redis.configSet("notify-keyspace-events", "Kg");
  const listener = stores.redis.duplicate();
  await listener.connect();
  await listener.pSubscribe(`__keyspace@0__:${stores.keys.game("*")}`, (event, channel) => {
    if (event !== "expire") return;
    const id = /\{([^}]+)\}$/.exec(channel)?.[1];
    if (id !== undefined && !doneAtById.has(id)) doneAtById.set(id, Date.now());
  });

  const started = Date.now();
  for (let i = 0; i < games; i++) {
    const due = started + (i * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    const id = randomBytes(9).toString("base64url");
    const [w, b] = [
      players[(2 * i) % PLAYERS]!,
      players[(2 * i + 1 + Math.floor(i / PLAYERS)) % PLAYERS]!,
    ];
    const now = Date.now();
    const game = {
      ...template.game,
      id,
      createdAt: now - 120_000,
      endedAt: now,
      white: { id: w._id, username: w.username, rating: 1500 },
      black: { id: b._id, username: b.username, rating: 1500 },
    };
    const multi = stores.redis.multi();
    for (const fields of endedGameHash(game, template.clocks, INITIAL_GLICKO, INITIAL_GLICKO))
      multi.hSet(stores.keys.game(id), fields);
    multi.xAdd(stores.keys.archive, "*", { gameId: id });
    const replies = await multi.exec();
    // The entry id's first part is Redis's clock when the entry was added: the game's end.
    const entryId = replies[replies.length - 1] as unknown as string;
    endedAtById.set(id, Number(entryId.split("-")[0]));
  }
  const writeS = (Date.now() - started) / 1000;

  const deadline = Date.now() + 30_000;
  while (doneAtById.size < games && Date.now() < deadline) await sleep(50);
  const docs = await stores.mongo.db
    .collection<GameDoc>("games")
    .find({}, { projection: { _id: 1, archivedAt: 1 } })
    .toArray();
  const insertLag = docs.map((d) => d.archivedAt - endedAtById.get(d._id)!);
  const doneLag = [...doneAtById].map(([id, at]) => at - endedAtById.get(id)!);
  // Games archived per second from the first game's end to the last acknowledgement.
  const lastDone = Math.max(...doneAtById.values());
  const drainPerSecond = doneAtById.size / ((lastDone - Math.min(...endedAtById.values())) / 1000);
  console.log(
    JSON.stringify({
      bench: "archive-lag",
      games,
      perSecond,
      achievedPerSecond: Number((games / writeS).toFixed(1)),
      instances: instanceCount,
      archived: docs.length,
      acknowledged: doneAtById.size,
      archivedPerSecond: Number(drainPerSecond.toFixed(1)),
      insertLagMs: summary(insertLag),
      doneLagMs: summary(doneLag),
    }),
  );
  await listener.quit();
  await stores.close();
} finally {
  for (const instance of instances) await instance.stop();
  await Promise.allSettled([redisService.stop(), ferret.stop()]);
}
