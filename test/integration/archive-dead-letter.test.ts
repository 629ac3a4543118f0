// An archive entry that fails on its own, every time (its game hash is corrupt), holds up none of
// the games behind it, and after ARCHIVE_MAX_DELIVERIES deliveries is moved to the dead-letter
// stream, counted in the metrics; its game hash stays for a look by hand.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { GameDoc } from "../../src/store/archive.js";
import { testEnv } from "../helpers/env.js";
import { eventually, queueArchive, writeEndedGame, instanceWithStores } from "../helpers/games.js";

const MAX_DELIVERIES = 4;

test("a corrupt game holds up none of the next games and is dead-lettered after N deliveries", async (t) => {
  // A long takeover time: only the failing entry's own retries deliver it again.
  const env = testEnv({
    ARCHIVE_MAX_DELIVERIES: String(MAX_DELIVERIES),
    ARCHIVE_CLAIM_IDLE_MS: "60000",
  });
  const { instance, stores } = await instanceWithStores(t, env);
  const guests = (n: number) =>
    ({
      white: { id: `w${n}`, username: `Guest-w${n}` },
      black: { id: `b${n}`, username: `Guest-b${n}` },
      result: "1-0",
      reason: "resign",
      winner: "white",
    }) as const;
  const bad = await writeEndedGame(stores, { ...guests(0), queue: false });
  await stores.redis.hSet(stores.keys.game(bad.id), "white", "{not json");
  await queueArchive(stores, bad.id);
  const good: string[] = [];
  for (let n = 1; n <= 3; n++) good.push((await writeEndedGame(stores, guests(n))).id);

  const games = stores.mongo.db.collection<GameDoc>("games");
  await eventually(
    async () => (await games.countDocuments({ _id: { $in: good } })) === good.length,
    "the games behind the corrupt one to be archived",
    10_000,
  );
  await eventually(
    async () => (await stores.redis.xLen(stores.keys.archiveDead)) === 1,
    "the corrupt entry in the dead-letter stream",
  );
  const [dead] = (await stores.redis.xRange(stores.keys.archiveDead, "-", "+")) ?? [];
  assert.equal(dead!.message.gameId, bad.id);
  assert.equal(dead!.message.deliveries, String(MAX_DELIVERIES), "given up after N deliveries");
  assert.match(dead!.message.error ?? "", /JSON/);
  assert.equal(await stores.redis.xLen(stores.keys.archive), 0, "nothing left in the stream");
  const pending = await stores.redis.xPending(stores.keys.archive, stores.keys.archiveGroup);
  assert.equal(pending.pending, 0);
  assert.equal(await games.countDocuments({ _id: bad.id }), 0);
  assert.equal(await stores.redis.ttl(stores.keys.game(bad.id)), -1, "the hash stays, for a look");
  const metric = await instance.metrics.archiveDeadLetters.get();
  assert.equal(metric.values[0]?.value, 1);
});
