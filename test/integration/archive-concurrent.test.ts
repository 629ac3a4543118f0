// Two archivers (each with its own connections, as two instances) archiving two games of one player
// at the same moment, on the real FerretDB: every rating change and every count lands, once. On
// FerretDB 1.x an updateOne is read, apply, replace, so a plain conditional update loses one.
import assert from "node:assert/strict";
import { test } from "node:test";
import { INITIAL_GLICKO, type Glicko } from "../../src/domain/ratings.js";
import type { GameResult } from "../../src/protocol/types.js";
import { archiveGame, type GameDoc } from "../../src/store/archive.js";
import type { UserDoc } from "../../src/store/users.js";
import { testEnv } from "../helpers/env.js";
import { insertUser, openStores, writeEndedGame, type Stores } from "../helpers/games.js";

const PAIRS = 20;

const usersOf = (s: Stores) => s.mongo.db.collection<UserDoc>("users");

/** As the archiver does: a "busy" game is tried again (here at once) until it is in. */
async function archiveUntilDone(stores: Stores, gameId: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const outcome = await archiveGame(stores, gameId, { staleClaimMs: 60_000 });
    if (outcome === "archived") return;
    assert.equal(outcome, "busy");
  }
  assert.fail(`game ${gameId} stayed busy`);
}

const storedGlicko = async (s: Stores, id: string): Promise<Glicko> => {
  const r = (await usersOf(s).findOne({ _id: id }))!.ratings.blitz;
  return { rating: r.rating, deviation: r.deviation, volatility: r.volatility ?? 0.06 };
};

test(`two archivers apply two games of one player at once, ${PAIRS} times: every change lands once`, async (t) => {
  const env = testEnv();
  const first = await openStores(env);
  const second = await openStores(env);
  t.after(async () => {
    await first.close();
    await second.close();
  });
  const hub = await insertUser(first.mongo, "hub");
  const results: { result: GameResult; winner: "white" | "black" | null }[] = [
    { result: "1-0", winner: "white" },
    { result: "0-1", winner: "black" },
    { result: "1/2-1/2", winner: null },
  ];
  const ids: string[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    // Both games started from the hub's rating of now, as two games played at once do.
    const hubGlicko = await storedGlicko(first, hub._id);
    const games = await Promise.all(
      [0, 1].map(async (k) => {
        const name = `opp${pair}x${k}`;
        const opponent = await insertUser(first.mongo, name);
        const outcome = results[(pair + k) % 3]!;
        return writeEndedGame(first, {
          white: { id: hub._id, username: "hub", glicko: hubGlicko },
          black: { id: opponent._id, username: name, glicko: INITIAL_GLICKO },
          rated: true,
          result: outcome.result,
          reason: outcome.winner === null ? "agreement" : "resign",
          winner: outcome.winner,
          queue: false,
        });
      }),
    );
    await Promise.all([
      archiveUntilDone(first, games[0]!.id),
      archiveUntilDone(second, games[1]!.id),
    ]);
    ids.push(...games.map((g) => g.id));
  }

  const docs = await first.mongo.db.collection<GameDoc>("games").find({}).toArray();
  assert.equal(docs.length, 2 * PAIRS);
  const change = (d: GameDoc) => d.players.white.after!.rating - d.players.white.before!.rating;
  const expected = docs.reduce((sum, d) => sum + change(d), 1500);
  const after = (await usersOf(first).findOne({ _id: hub._id }))!;
  assert.equal(after.ratings.blitz.games, 2 * PAIRS, "every rated game counted in the rating");
  assert.ok(
    Math.abs(after.ratings.blitz.rating - expected) < 1e-6,
    `rating ${after.ratings.blitz.rating}, expected ${expected}: a change was lost`,
  );
  assert.deepEqual([...after.archivedGames!].sort(), [...ids].sort(), "each game once");
  const wins = docs.filter((d) => d.winner === "white").length;
  const draws = docs.filter((d) => d.result === "1/2-1/2").length;
  assert.deepEqual(after.gameCounts, {
    total: 2 * PAIRS,
    wins,
    losses: 2 * PAIRS - wins - draws,
    draws,
  });
  assert.equal(after.version, 2 * PAIRS);
  // Every opponent took its one game too.
  for (const d of docs) {
    const opponent = (await usersOf(first).findOne({ _id: d.players.black.id }))!;
    assert.deepEqual(opponent.archivedGames, [d._id]);
    assert.equal(opponent.ratings.blitz.games, 1);
  }
});
