// A player's game counts live on the user document, written by the archive step with the rating
// change and exactly once like it: right after games of every outcome, whatever step crashed and
// was retried, also when another game finds a crashed step's claim; and the profile reads them
// from the document, never counting games.
import assert from "node:assert/strict";
import { test } from "node:test";
import { INITIAL_GLICKO, rateGame } from "../../src/domain/ratings.js";
import {
  archiveGame,
  type ArchivePause,
  type ArchivePausePoint,
  type GameDoc,
} from "../../src/store/archive.js";
import type { UserDoc } from "../../src/store/users.js";
import { testEnv } from "../helpers/env.js";
import {
  insertUser,
  writeEndedGame,
  type EndOptions,
  type Stores,
  instanceWithStores,
} from "../helpers/games.js";

const usersOf = (s: Stores) => s.mongo.db.collection<UserDoc>("users");
const STALE_NEVER = { staleClaimMs: 600_000 };

/** A crash at `point`: the step throws there, as an archiver killed there would stop. */
const crashAt =
  (at: ArchivePausePoint): ArchivePause =>
  (point) =>
    point === at ? Promise.reject(new Error(`crashed ${point}`)) : Promise.resolve();

async function setup(t: import("node:test").TestContext) {
  // The instance's own archiver never sees these games: they are written without an entry.
  const env = testEnv();
  const { instance, stores } = await instanceWithStores(t, env);
  return { instance, stores };
}

/** A game written as ended, not queued: the test runs the archive step itself. */
const ended = (stores: Stores, opts: Omit<EndOptions, "queue">) =>
  writeEndedGame(stores, { ...opts, queue: false });

test("counts on the user documents: games of every outcome, a crash retried at each step, a guest", async (t) => {
  const { instance, stores } = await setup(t);
  const ann = await insertUser(stores.mongo, "ann");
  const ben = await insertUser(stores.mongo, "ben");
  const a = { id: ann._id, username: "ann", glicko: INITIAL_GLICKO };
  const b = { id: ben._id, username: "ben", glicko: INITIAL_GLICKO };
  const guest = { id: "guest-7", username: "Guest-7" };
  const plan = [
    {
      game: { white: a, black: b, rated: true, result: "1-0", reason: "resign", winner: "white" },
      crash: "after-insert",
    },
    {
      game: { white: b, black: a, rated: true, result: "1-0", reason: "timeout", winner: "white" },
      crash: "after-white-claim",
    },
    {
      game: { white: a, black: b, result: "1/2-1/2", reason: "agreement", winner: null },
      crash: "after-white",
    },
    {
      game: { white: a, black: b, rated: true, result: null, reason: "aborted", winner: null },
      crash: "before-ack",
    },
    {
      game: { white: a, black: guest, result: "1-0", reason: "checkmate", winner: "white" },
      crash: null,
    },
  ] as const;
  const ids: string[] = [];
  for (const { game, crash } of plan) {
    const { id } = await ended(stores, game);
    ids.push(id);
    if (crash !== null)
      await assert.rejects(archiveGame(stores, id, { ...STALE_NEVER, pause: crashAt(crash) }));
    // The retry after the crash, and one more (an entry taken over twice): no second effect.
    assert.equal(await archiveGame(stores, id, STALE_NEVER), "archived");
    assert.equal(await archiveGame(stores, id, STALE_NEVER), "archived");
  }

  const annDoc = (await usersOf(stores).findOne({ _id: ann._id }))!;
  const benDoc = (await usersOf(stores).findOne({ _id: ben._id }))!;
  assert.deepEqual(annDoc.gameCounts, { total: 5, wins: 2, losses: 1, draws: 1 });
  assert.deepEqual(benDoc.gameCounts, { total: 4, wins: 1, losses: 1, draws: 1 });
  assert.deepEqual(annDoc.archivedGames, ids, "each game once, in order");
  assert.deepEqual(benDoc.archivedGames, ids.slice(0, 4));
  assert.deepEqual([annDoc.version, benDoc.version], [5, 4]);
  // Two games were rated (the aborted one has no result): one win and one loss each.
  const win = rateGame(INITIAL_GLICKO, INITIAL_GLICKO, 1);
  const expectedAnn = 1500 + (win.white.rating - 1500) + (win.black.rating - 1500);
  assert.equal(annDoc.ratings.blitz.games, 2);
  assert.ok(Math.abs(annDoc.ratings.blitz.rating - expectedAnn) < 1e-9);
  assert.equal(await usersOf(stores).countDocuments({ _id: guest.id }), 0, "no guest document");

  const profile = async (name: string) =>
    ((await (await fetch(`${instance.url}/api/users/${name}`)).json()) as { games: unknown }).games;
  assert.deepEqual(await profile("ann"), annDoc.gameCounts);
  assert.deepEqual(await profile("BEN"), benDoc.gameCounts);
});

test("a claim left by a crashed step: another game of the player waits, then applies it once it is stale", async (t) => {
  const { stores } = await setup(t);
  const ann = await insertUser(stores.mongo, "ann");
  const ben = await insertUser(stores.mongo, "ben");
  const cat = await insertUser(stores.mongo, "cat");
  const side = (u: UserDoc) => ({ id: u._id, username: u.username, glicko: INITIAL_GLICKO });
  const rated = { rated: true, reason: "resign" } as const;
  const first = await ended(stores, {
    ...rated,
    white: side(ann),
    black: side(ben),
    result: "1-0",
    winner: "white",
  });
  const second = await ended(stores, {
    ...rated,
    white: side(ann),
    black: side(cat),
    result: "0-1",
    winner: "black",
  });
  // ann's change for the first game is claimed, never written: its archiver died there.
  await assert.rejects(
    archiveGame(stores, first.id, { ...STALE_NEVER, pause: crashAt("after-white-claim") }),
  );
  // While the claim is fresh, its claimant may be writing it: the second game must wait.
  assert.equal(await archiveGame(stores, second.id, STALE_NEVER), "busy");
  assert.equal((await usersOf(stores).findOne({ _id: ann._id }))!.version, undefined);
  // Once stale, the second game's step writes the first game's claim, then its own.
  assert.equal(await archiveGame(stores, second.id, { staleClaimMs: 0 }), "archived");
  // The first game's own retry finds ann done and does ben.
  assert.equal(await archiveGame(stores, first.id, { staleClaimMs: 0 }), "archived");

  const annDoc = (await usersOf(stores).findOne({ _id: ann._id }))!;
  assert.deepEqual(annDoc.archivedGames, [first.id, second.id]);
  assert.deepEqual(annDoc.gameCounts, { total: 2, wins: 1, losses: 1, draws: 0 });
  const docs = await stores.mongo.db.collection<GameDoc>("games").find({}).toArray();
  const change = (d: GameDoc) => d.players.white.after!.rating - d.players.white.before!.rating;
  const expected = 1500 + docs.reduce((sum, d) => sum + change(d), 0);
  assert.equal(annDoc.ratings.blitz.games, 2);
  assert.ok(Math.abs(annDoc.ratings.blitz.rating - expected) < 1e-9);
  for (const u of [ben, cat]) {
    const doc = (await usersOf(stores).findOne({ _id: u._id }))!;
    assert.equal(doc.gameCounts!.total, 1, u.username);
    assert.equal(doc.ratings.blitz.games, 1, u.username);
  }
});

test("the profile's counts are the user document's: no game is counted to answer it", async (t) => {
  const { instance, stores } = await setup(t);
  const dee = await insertUser(stores.mongo, "dee");
  await insertUser(stores.mongo, "eve");
  // Counts that no games collection backs (it is empty): only the document can give them.
  const counts = { total: 12, wins: 7, losses: 3, draws: 1 };
  await usersOf(stores).updateOne({ _id: dee._id }, { $set: { gameCounts: counts } });
  const games = async (name: string) =>
    ((await (await fetch(`${instance.url}/api/users/${name}`)).json()) as { games: unknown }).games;
  assert.deepEqual(await games("dee"), counts);
  assert.deepEqual(await games("eve"), { total: 0, wins: 0, losses: 0, draws: 0 }, "no games yet");
});
