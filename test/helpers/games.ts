// Finished games without the live-game code: writes a game hash exactly as the ending script leaves
// it (newGameFields, then the moves and the end) and appends the archive entry as that script does.
// Also registered users straight into MongoDB, and direct handles on a test's Redis and MongoDB.
import { randomBytes } from "node:crypto";
import { testConfig } from "./env.js";
import type { Glicko } from "../../src/domain/ratings.js";
import type { Color, Game, GameReason, GameResult } from "../../src/protocol/types.js";
import { newGameFields } from "../../src/store/game-store.js";
import { createKeys, type Keys } from "../../src/store/keys.js";
import { createMongo, type Mongo } from "../../src/store/mongo.js";
import { createRedis, type Redis } from "../../src/store/redis.js";
import { defaultRatings, type UserDoc } from "../../src/store/users.js";
import type { Instance } from "../../src/instance.js";
import { endedGame, SCHOLARS_MATE } from "./chess-fixtures.js";
import { startInProcess } from "./instances.js";

export interface Stores {
  redis: Redis;
  keys: Keys;
  mongo: Mongo;
  close: () => Promise<void>;
}

/** Connections of the test's own to the Redis prefix and database of `env`. */
export async function openStores(env: Record<string, string>): Promise<Stores> {
  const config = testConfig(env);
  const redis = createRedis(config, () => {});
  const mongo = createMongo(config.MONGO_URL);
  await Promise.all([redis.connect(), mongo.client.connect()]);
  const close = async () => {
    await Promise.allSettled([redis.quit(), mongo.client.close()]);
  };
  return { redis, keys: createKeys(config.REDIS_PREFIX), mongo, close };
}

/** One in-process instance and the test's own connections to its stores, closed when the test ends. */
export async function instanceWithStores(
  t: { after: (fn: () => Promise<void>) => void },
  env: Record<string, string>,
): Promise<{ instance: Instance; stores: Stores }> {
  const instance = await startInProcess(env);
  const stores = await openStores(env);
  t.after(async () => {
    await instance.close();
    await stores.close();
  });
  return { instance, stores };
}

/** A registered user, as the accounts code stores one (fresh ratings unless given). */
export async function insertUser(
  mongo: Mongo,
  username: string,
  ratings = defaultRatings(),
): Promise<UserDoc> {
  const doc: UserDoc = {
    _id: randomBytes(9).toString("base64url"),
    username,
    usernameLower: username.toLowerCase(),
    passwordHash: "not-a-real-hash",
    ratings,
    createdAt: Date.now(),
  };
  await mongo.db.collection<UserDoc>("users").insertOne(doc);
  return doc;
}

export interface Side {
  id: string;
  username: string;
  rating?: number;
  /** The Glicko at game start: set for the players of a rated game, as the game's creation does. */
  glicko?: Glicko;
}

export interface EndOptions {
  white: Side;
  black: Side;
  rated?: boolean;
  timeControl?: string;
  san?: readonly string[];
  result: GameResult | null;
  reason: GameReason;
  winner: Color | null;
  createdAt?: number;
  endedAt?: number;
  /** Append the archive entry (default true); false leaves the game ended but not queued yet. */
  queue?: boolean;
}

/** Writes one ended game in Redis; returns the wire game object that Redis now holds. */
export async function writeEndedGame(
  stores: Pick<Stores, "redis" | "keys">,
  opts: EndOptions,
): Promise<Game> {
  const id = randomBytes(9).toString("base64url");
  const endedAt = opts.endedAt ?? Date.now();
  const rated = opts.rated ?? false;
  const player = (s: Side) => ({
    id: s.id,
    username: s.username,
    rating: s.rating ?? Math.round(s.glicko?.rating ?? 1500),
  });
  const { game, clocks } = endedGame({
    id,
    white: player(opts.white),
    black: player(opts.black),
    rated,
    timeControl: opts.timeControl,
    san: opts.san ?? SCHOLARS_MATE,
    result: opts.result,
    reason: opts.reason,
    winner: opts.winner,
    createdAt: opts.createdAt ?? endedAt - 60_000,
    endedAt,
  });
  const multi = stores.redis.multi();
  for (const fields of endedGameHash(
    game,
    clocks,
    rated ? (opts.white.glicko ?? null) : null,
    rated ? (opts.black.glicko ?? null) : null,
  )) {
    multi.hSet(stores.keys.game(id), fields);
  }
  await multi.exec();
  // Then its archive entry, as the follow-up of a game's end queues it (store/game-end.ts).
  if (opts.queue ?? true) await stores.redis.xAdd(stores.keys.archive, "*", { gameId: id });
  return game;
}

/**
 * The hash of an ended game as two HSET field lists: what the game's creation writes
 * (newGameFields), then what its moves and its end overwrite.
 */
export function endedGameHash(
  game: Game,
  clocks: readonly number[],
  whiteGlicko: Glicko | null,
  blackGlicko: Glicko | null,
) {
  const created = newGameFields({
    id: game.id,
    rated: game.rated,
    timeControl: game.timeControl,
    white: game.white,
    black: game.black,
    whiteGlicko,
    blackGlicko,
  });
  const ended: Record<string, string> = {
    v: String(game.ply + 1),
    createdAt: String(game.createdAt),
    fen: game.fen,
    ply: String(game.ply),
    moves: game.moves.join(" "),
    san: game.san.join(" "),
    clocks: clocks.join(" "),
    whiteMs: String(game.clock.whiteMs),
    blackMs: String(game.clock.blackMs),
    serverTime: String(game.endedAt),
    running: "0",
    deadline: "0",
    status: "ended",
    result: game.result ?? "",
    reason: game.reason ?? "",
    winner: game.winner ?? "",
    endedAt: String(game.endedAt),
  };
  return [created, ended] as const;
}

/** Appends the archive entry of a game written with `queue: false`. */
export async function queueArchive(
  stores: Pick<Stores, "redis" | "keys">,
  gameId: string,
): Promise<void> {
  await stores.redis.xAdd(stores.keys.archive, "*", { gameId });
}

/** Polls `check` until it returns a value other than undefined/false; fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The players' live states gone within 3 s: the follow-up of the game's end ran at once (its
 * takeover by a deadline poller would come after 5 s), with no reader freeing them on the way.
 */
export async function playersFreed(
  stores: Pick<Stores, "redis" | "keys">,
  userIds: string[],
): Promise<void> {
  const held = () => Promise.all(userIds.map((id) => stores.redis.get(stores.keys.live(id))));
  await eventually(async () => (await held()).every((raw) => raw === null), "players freed", 3_000);
}
