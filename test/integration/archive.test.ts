// Archiving finished games: the game document, the rating change applied once, guests and aborted
// games changing nothing, and GET /api/games/:id before and after the Redis copy expires.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Chess } from "chess.js";
import { INITIAL_GLICKO, rateGame } from "../../src/domain/ratings.js";
import type { Game } from "../../src/protocol/types.js";
import type { GameDoc } from "../../src/store/archive.js";
import type { UserDoc } from "../../src/store/users.js";
import { TRICKY_GAME } from "../helpers/chess-fixtures.js";
import { testEnv } from "../helpers/env.js";
import {
  eventually,
  insertUser,
  queueArchive,
  writeEndedGame,
  type Stores,
  instanceWithStores,
} from "../helpers/games.js";

async function setup(t: import("node:test").TestContext, overrides: Record<string, string> = {}) {
  const env = testEnv({ ARCHIVE_CLAIM_IDLE_MS: "500", ...overrides });
  const { instance, stores } = await instanceWithStores(t, env);
  return { instance, stores };
}

const gamesOf = (s: Stores) => s.mongo.db.collection<GameDoc>("games");
const usersOf = (s: Stores) => s.mongo.db.collection<UserDoc>("users");

/** Waits until the archive stream is empty: every entry archived and acknowledged. */
const drained = (s: Stores) =>
  eventually(async () => (await s.redis.xLen(s.keys.archive)) === 0, "the archive stream to drain");

test("a rated game: one document with everything, the announced rating change applied to both", async (t) => {
  const { instance, stores } = await setup(t);
  const alice = await insertUser(stores.mongo, "Alice");
  const bob = await insertUser(stores.mongo, "bob");
  const game = await writeEndedGame(stores, {
    white: { id: alice._id, username: "Alice", glicko: INITIAL_GLICKO },
    black: { id: bob._id, username: "bob", glicko: INITIAL_GLICKO },
    rated: true,
    result: "1-0",
    reason: "checkmate",
    winner: "white",
  });
  await drained(stores);

  const doc = (await gamesOf(stores).findOne({ _id: game.id }))!;
  const expected = rateGame(INITIAL_GLICKO, INITIAL_GLICKO, 1);
  assert.deepEqual(doc.ratingDiff, expected.diff);
  assert.deepEqual(doc.playerIds, [alice._id, bob._id]);
  assert.deepEqual(doc.players.white, {
    id: alice._id,
    username: "Alice",
    guest: false,
    rating: 1500,
    before: INITIAL_GLICKO,
    after: expected.white,
  });
  assert.equal(doc.players.black.guest, false);
  assert.deepEqual(doc.players.black.after, expected.black);
  assert.deepEqual(
    [doc.moves, doc.san, doc.fen, doc.ply],
    [game.moves, game.san, game.fen, game.ply],
  );
  assert.equal(doc.clocks.length, game.ply);
  assert.deepEqual(doc.timeControl, {
    label: "3+2",
    initialMs: 180_000,
    incrementMs: 2_000,
    speed: "blitz",
  });
  assert.equal(doc.speed, "blitz");
  assert.deepEqual(
    [doc.result, doc.reason, doc.winner, doc.rated],
    ["1-0", "checkmate", "white", true],
  );
  assert.deepEqual([doc.createdAt, doc.endedAt], [game.createdAt, game.endedAt]);

  const a = (await usersOf(stores).findOne({ _id: alice._id }))!;
  const b = (await usersOf(stores).findOne({ _id: bob._id }))!;
  assert.deepEqual(a.archivedGames, [game.id]);
  assert.deepEqual(b.archivedGames, [game.id]);
  assert.deepEqual(a.gameCounts, { total: 1, wins: 1, losses: 0, draws: 0 });
  assert.deepEqual(b.gameCounts, { total: 1, wins: 0, losses: 1, draws: 0 });
  assert.equal(a.ratings.blitz.games, 1);
  assert.ok(Math.abs(a.ratings.blitz.rating - expected.white.rating) < 1e-9);
  assert.ok(Math.abs(b.ratings.blitz.rating - expected.black.rating) < 1e-9);
  assert.equal(a.ratings.blitz.deviation, expected.white.deviation);
  assert.equal(a.ratings.bullet.games, 0, "other speeds untouched");

  // The profile shows the rounded ratings, the counts, and nothing internal.
  const res = await fetch(`${instance.url}/api/users/ALICE`);
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.doesNotMatch(
    text,
    /volatility|archivedGames|gameCounts|version|passwordHash|usernameLower/,
  );
  const profile = JSON.parse(text) as {
    username: string;
    ratings: Record<string, unknown>;
    games: unknown;
  };
  assert.equal(profile.username, "Alice");
  assert.deepEqual(profile.ratings.blitz, {
    rating: Math.round(expected.white.rating),
    deviation: Math.round(expected.white.deviation),
    games: 1,
  });
  assert.deepEqual(profile.games, { total: 1, wins: 1, losses: 0, draws: 0 });

  // The Redis copy now expires after the grace period.
  const ttl = await stores.redis.ttl(stores.keys.game(game.id));
  assert.ok(ttl > 0 && ttl <= 3600, `ttl ${ttl}`);
});

test("a guest's game, an unrated game and an aborted rated game are archived but change no rating", async (t) => {
  const { instance, stores } = await setup(t);
  const carol = await insertUser(stores.mongo, "carol");
  const dave = await insertUser(stores.mongo, "dave");
  const guest = { id: "guest-id-1", username: "Guest-abc123" };
  const vsGuest = await writeEndedGame(stores, {
    white: guest,
    black: { id: carol._id, username: "carol" },
    result: "0-1",
    reason: "resign",
    winner: "black",
  });
  const casual = await writeEndedGame(stores, {
    white: { id: carol._id, username: "carol" },
    black: { id: dave._id, username: "dave" },
    result: "1/2-1/2",
    reason: "agreement",
    winner: null,
    san: ["e4", "e5"],
  });
  const aborted = await writeEndedGame(stores, {
    white: { id: carol._id, username: "carol", glicko: INITIAL_GLICKO },
    black: { id: dave._id, username: "dave", glicko: INITIAL_GLICKO },
    rated: true,
    result: null,
    reason: "aborted",
    winner: null,
    san: ["d4"],
  });
  await drained(stores);

  const docs = await gamesOf(stores).find({}).toArray();
  assert.equal(docs.length, 3);
  const byId = new Map(docs.map((d) => [d._id, d]));
  assert.equal(byId.get(vsGuest.id)!.players.white.guest, true);
  assert.equal(byId.get(vsGuest.id)!.players.black.guest, false);
  for (const doc of docs) {
    assert.equal(doc.ratingDiff, null);
    assert.equal(doc.players.white.after, null);
  }
  assert.deepEqual([byId.get(aborted.id)!.result, byId.get(aborted.id)!.reason], [null, "aborted"]);
  for (const user of await usersOf(stores).find({}).toArray()) {
    for (const r of Object.values(user.ratings))
      assert.deepEqual(r, { rating: 1500, deviation: 350, games: 0 }, `${user.username}'s ratings`);
  }
  // Counted all the same: on the documents of the registered players only.
  const carolDoc = (await usersOf(stores).findOne({ _id: carol._id }))!;
  assert.deepEqual([...carolDoc.archivedGames!].sort(), [vsGuest.id, casual.id, aborted.id].sort());
  assert.equal(
    await usersOf(stores).countDocuments({ _id: guest.id }),
    0,
    "no document for a guest",
  );
  const counts = await (await fetch(`${instance.url}/api/users/carol`)).json();
  assert.deepEqual((counts as { games: unknown }).games, {
    total: 3,
    wins: 1,
    losses: 0,
    draws: 1,
  });
  assert.equal(byId.get(casual.id)!.result, "1/2-1/2");
});

test("GET /api/games/:id and its PGN: from Redis before archiving, the same from MongoDB after expiry", async (t) => {
  const { instance, stores } = await setup(t, { ARCHIVE_GRACE_S: "1" });
  const erin = await insertUser(stores.mongo, "erin");
  const frank = await insertUser(stores.mongo, "frank");
  const game = await writeEndedGame(stores, {
    white: { id: erin._id, username: "erin", glicko: INITIAL_GLICKO },
    black: {
      id: frank._id,
      username: "frank",
      glicko: { rating: 1620.7, deviation: 80, volatility: 0.06 },
    },
    rated: true,
    san: TRICKY_GAME,
    result: "0-1",
    reason: "timeout",
    winner: "black",
    queue: false,
  });
  const get = async (path: string) => {
    const res = await fetch(`${instance.url}/api/games/${game.id}${path}`);
    assert.equal(res.status, 200);
    return res;
  };
  const fromRedis = (await (await get("")).json()) as Game;
  assert.deepEqual(fromRedis, game);
  const pgnFromRedis = await (await get("/pgn")).text();
  assert.equal(await gamesOf(stores).countDocuments({ _id: game.id }), 0, "not archived yet");

  await queueArchive(stores, game.id);
  await drained(stores);
  await eventually(
    async () => (await stores.redis.exists(stores.keys.game(game.id))) === 0,
    "the Redis copy to expire",
  );
  const fromMongo = (await (await get("")).json()) as Game;
  assert.deepEqual(fromMongo, fromRedis);
  const pgnRes = await get("/pgn");
  assert.match(pgnRes.headers.get("content-type") ?? "", /^text\/plain/);
  const pgn = await pgnRes.text();
  assert.equal(pgn, pgnFromRedis);

  // The PGN round-trips through chess.js: the same moves and the lichess tags.
  const chess = new Chess();
  chess.loadPgn(pgn);
  assert.deepEqual(chess.history(), game.san);
  const headers = chess.getHeaders();
  assert.equal(headers.Result, "0-1");
  assert.equal(headers.White, "erin");
  assert.equal(headers.BlackElo, "1621");
  assert.equal(headers.TimeControl, "180+2");
  assert.equal(headers.Termination, "Time forfeit");
  assert.equal(headers.Event, "Rated Blitz game");
  assert.match(headers.WhiteRatingDiff ?? "", /^-\d+$/);
  assert.equal(chess.getComments().length, game.ply, "one %clk comment per move");
});

test("unknown games and users are 404 NOT_FOUND, for any id", async (t) => {
  const { instance } = await setup(t);
  for (const path of [
    "/api/games/nope",
    "/api/games/nope/pgn",
    "/api/games/%24where",
    "/api/users/nobody",
    "/api/users/nobody/games",
    "/api/users/x/games",
    "/api/users/%7B%22%24ne%22%3A1%7D",
  ]) {
    const res = await fetch(`${instance.url}${path}`);
    assert.equal(res.status, 404, path);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, "NOT_FOUND", path);
  }
});

test("entries naming no game, or a game still live, are dropped without holding up the next ones", async (t) => {
  const { stores } = await setup(t);
  await stores.redis.xAdd(stores.keys.archive, "*", { something: "else" });
  await stores.redis.xAdd(stores.keys.archive, "*", { gameId: "no-such-game" });
  const live = await writeEndedGame(stores, {
    white: { id: "w1", username: "Guest-w1" },
    black: { id: "b1", username: "Guest-b1" },
    result: "1-0",
    reason: "resign",
    winner: "white",
    queue: false,
  });
  await stores.redis.hSet(stores.keys.game(live.id), {
    status: "started",
    result: "",
    reason: "",
    winner: "",
  });
  await queueArchive(stores, live.id);
  const game = await writeEndedGame(stores, {
    white: { id: "w2", username: "Guest-w2" },
    black: { id: "b2", username: "Guest-b2" },
    result: "0-1",
    reason: "timeout",
    winner: "black",
  });
  await drained(stores);
  assert.deepEqual(
    (await gamesOf(stores).find({}).toArray()).map((d) => d._id),
    [game.id],
  );
  assert.equal(
    await stores.redis.ttl(stores.keys.game(live.id)),
    -1,
    "a live game is never expired by the archiver",
  );
});
