// Exactly once across a SIGKILL: an archiver killed at each step of archiving a rated game, before
// it acknowledges, leaves the entry pending; another instance takes it over, and in the end there
// is one game document and one rating change per player.
import assert from "node:assert/strict";
import { test } from "node:test";
import { INITIAL_GLICKO, rateGame, type Glicko } from "../../src/domain/ratings.js";
import type { GameDoc } from "../../src/store/archive.js";
import { defaultRatings, type UserDoc } from "../../src/store/users.js";
import { testEnv } from "../helpers/env.js";
import {
  eventually,
  insertUser,
  openStores,
  writeEndedGame,
  type Stores,
} from "../helpers/games.js";
import { spawnInstance } from "../helpers/instances.js";

const users = (s: Stores) => s.mongo.db.collection<UserDoc>("users");
const hasApplied = (s: Stores, userId: string, gameId: string) => async () =>
  (await users(s).countDocuments({ _id: userId, archivedGames: gameId })) === 1;

/** What each pause point has visibly done when the archiver stops there. */
const reached = {
  "after-insert": (s: Stores, _w: string, _b: string, gameId: string) => async () =>
    (await s.mongo.db.collection<GameDoc>("games").countDocuments({ _id: gameId })) === 1,
  "after-white": (s: Stores, w: string, _b: string, gameId: string) => hasApplied(s, w, gameId),
  "before-ack": (s: Stores, _w: string, b: string, gameId: string) => hasApplied(s, b, gameId),
} as const;

for (const point of ["after-insert", "after-white", "before-ack"] as const) {
  test(`an archiver killed ${point.replace("-", " ")}: after a restart, one document and one rating change`, async (t) => {
    const env = testEnv({ ARCHIVE_CLAIM_IDLE_MS: "300" });
    const stores = await openStores(env);
    t.after(() => stores.close());
    const blackStart: Glicko = { rating: 1612.3, deviation: 143.2, volatility: 0.0603 };
    const blackRatings = defaultRatings();
    blackRatings.blitz = { ...blackStart, games: 12 };
    const white = await insertUser(stores.mongo, "wanda");
    const black = await insertUser(stores.mongo, "boris", blackRatings);

    const doomed = await spawnInstance({ ...env, ARCHIVE_TEST_PAUSE: point });
    t.after(() => doomed.kill());
    const game = await writeEndedGame(stores, {
      white: { id: white._id, username: "wanda", glicko: INITIAL_GLICKO },
      black: { id: black._id, username: "boris", glicko: blackStart },
      rated: true,
      result: "0-1",
      reason: "resign",
      winner: "black",
    });
    await eventually(
      reached[point](stores, white._id, black._id, game.id),
      `the archiver to reach ${point}`,
    );
    await doomed.kill();
    const pending = await stores.redis.xPending(stores.keys.archive, stores.keys.archiveGroup);
    assert.equal(pending.pending, 1, "the entry was not acknowledged");
    assert.equal(
      await stores.redis.ttl(stores.keys.game(game.id)),
      -1,
      "the Redis copy does not expire yet",
    );

    const survivor = await spawnInstance(env);
    t.after(() => survivor.stop());
    await eventually(
      async () => (await stores.redis.xLen(stores.keys.archive)) === 0,
      "the entry to be archived",
    );

    const docs = await stores.mongo.db.collection<GameDoc>("games").find({}).toArray();
    assert.equal(docs.length, 1);
    const expected = rateGame(INITIAL_GLICKO, blackStart, 0);
    assert.deepEqual(docs[0]!.ratingDiff, expected.diff);
    const w = (await users(stores).findOne({ _id: white._id }))!;
    const b = (await users(stores).findOne({ _id: black._id }))!;
    assert.deepEqual([w.archivedGames, b.archivedGames], [[game.id], [game.id]]);
    assert.deepEqual([w.gameCounts?.losses, b.gameCounts?.wins], [1, 1]);
    assert.deepEqual([w.ratings.blitz.games, b.ratings.blitz.games], [1, 13]);
    assert.ok(
      Math.abs(w.ratings.blitz.rating - expected.white.rating) < 1e-9,
      `white ${w.ratings.blitz.rating}`,
    );
    assert.ok(
      Math.abs(b.ratings.blitz.rating - expected.black.rating) < 1e-9,
      `black ${b.ratings.blitz.rating}`,
    );
    assert.equal(b.ratings.blitz.deviation, expected.black.deviation);
    assert.ok(
      (await stores.redis.ttl(stores.keys.game(game.id))) > 0,
      "the Redis copy now expires",
    );
    const pendingAfter = await stores.redis.xPending(stores.keys.archive, stores.keys.archiveGroup);
    assert.equal(pendingAfter.pending, 0);
  });
}
