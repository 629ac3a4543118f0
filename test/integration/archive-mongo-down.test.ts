// MongoDB down: games that end meanwhile wait in the archive stream (the instance keeps serving),
// and once FerretDB is back, every one is archived and rated exactly once; none is given up on.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freeStablePort, sleep, startFerretdb, type Service } from "../../scripts/lib/services.js";
import { INITIAL_GLICKO, rateGame } from "../../src/domain/ratings.js";
import type { GameDoc } from "../../src/store/archive.js";
import type { UserDoc } from "../../src/store/users.js";
import { connect } from "../helpers/client.js";
import { testEnv } from "../helpers/env.js";
import { eventually, insertUser, openStores, writeEndedGame } from "../helpers/games.js";
import { spawnInstance } from "../helpers/instances.js";

test("with FerretDB stopped, three games end; after its restart all three are archived and rated once", async (t) => {
  // A FerretDB of this test's own, on a fixed port and directory, so it restarts with its data.
  const port = await freeStablePort();
  const dir = mkdtempSync(join(tmpdir(), "chess-archive-ferret-"));
  let ferret: Service = await startFerretdb({ port, dir });
  t.after(async () => {
    await ferret.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  // Two deliveries at most: failures while MongoDB is away must not count against an entry.
  const env = testEnv({
    MONGO_URL: `${ferret.url}/archive_down`,
    ARCHIVE_CLAIM_IDLE_MS: "500",
    ARCHIVE_MAX_DELIVERIES: "2",
  });
  const stores = await openStores(env);
  t.after(() => stores.close());
  const white = await insertUser(stores.mongo, "wilma");
  const black = await insertUser(stores.mongo, "barney");
  const instance = await spawnInstance(env);
  t.after(() => instance.stop());

  await ferret.stop();
  const results = [
    { result: "1-0", reason: "checkmate", winner: "white", score: 1 },
    { result: "1/2-1/2", reason: "agreement", winner: null, score: 0.5 },
    { result: "0-1", reason: "resign", winner: "black", score: 0 },
  ] as const;
  const ids: string[] = [];
  for (const r of results) {
    const game = await writeEndedGame(stores, {
      white: { id: white._id, username: "wilma", glicko: INITIAL_GLICKO },
      black: { id: black._id, username: "barney", glicko: INITIAL_GLICKO },
      rated: true,
      result: r.result,
      reason: r.reason,
      winner: r.winner,
    });
    ids.push(game.id);
  }

  // Meanwhile nothing is lost or acknowledged, and the instance keeps serving what needs only Redis.
  await sleep(3_000);
  assert.equal(await stores.redis.xLen(stores.keys.archive), 3);
  assert.equal(instance.process.exitCode, null, "the instance is still running");
  assert.equal((await fetch(`${instance.url}/healthz`)).status, 200);
  assert.equal((await fetch(`${instance.url}/readyz`)).status, 503);
  const live = await fetch(`${instance.url}/api/games/${ids[0]}`);
  assert.equal(live.status, 200, "an ended game is still served from Redis");
  const client = connect(instance.url);
  t.after(() => client.close());
  assert.equal(
    (await client.next("client/RESUME_SESSION", 10_000)).user.guest,
    true,
    "a new guest still connects",
  );

  ferret = await startFerretdb({ port, dir });
  await eventually(
    async () => (await stores.redis.xLen(stores.keys.archive)) === 0,
    "the backlog to drain",
    60_000,
  );

  assert.equal(await stores.redis.xLen(stores.keys.archiveDead), 0, "nothing given up on");
  const docs = await stores.mongo.db.collection<GameDoc>("games").find({}).toArray();
  assert.deepEqual(docs.map((d) => d._id).sort(), [...ids].sort());
  const users = stores.mongo.db.collection<UserDoc>("users");
  const w = (await users.findOne({ _id: white._id }))!;
  const b = (await users.findOne({ _id: black._id }))!;
  assert.deepEqual([...w.archivedGames!].sort(), [...ids].sort());
  assert.deepEqual([...b.archivedGames!].sort(), [...ids].sort());
  assert.deepEqual([w.ratings.blitz.games, b.ratings.blitz.games], [3, 3]);
  // All three started from 1500 (none was archived before the next began): each change is added once.
  const sum = (color: "white" | "black") =>
    results.reduce(
      (acc, r) => acc + rateGame(INITIAL_GLICKO, INITIAL_GLICKO, r.score)[color].rating - 1500,
      0,
    );
  assert.ok(
    Math.abs(w.ratings.blitz.rating - (1500 + sum("white"))) < 1e-6,
    `white ${w.ratings.blitz.rating}`,
  );
  assert.ok(
    Math.abs(b.ratings.blitz.rating - (1500 + sum("black"))) < 1e-6,
    `black ${b.ratings.blitz.rating}`,
  );
  assert.equal((await fetch(`${instance.url}/readyz`)).status, 200);
});
