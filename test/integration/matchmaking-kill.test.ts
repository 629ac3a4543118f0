import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { createGuestSession } from "../../src/store/guests.js";
import { createKeys } from "../../src/store/keys.js";
import type { StoredLiveState } from "../../src/store/live-state.js";
import { enqueue } from "../../src/store/matchmaking.js";
import { createRedis } from "../../src/store/redis.js";
import { testEnv } from "../helpers/env.js";
import { spawnInstance, type ChildInstance } from "../helpers/instances.js";
import { allGames, eventually, join } from "../helpers/matchmaking.js";

const PLAYERS = 400;
const POOL = "1+0";

void test("a wave owner killed with SIGKILL mid-wave: pairing goes on, each player in one game", async (t) => {
  const env = testEnv({ PROPOSAL_MS: "3000", PAIRING_INTERVAL_MS: "1000" });
  const children: ChildInstance[] = [];
  t.after(async () => {
    for (const child of children) await child.kill();
  });
  for (let i = 0; i < 3; i++) children.push(await spawnInstance(env));
  const config = loadConfig(env);
  const redis = createRedis(config, () => {});
  await redis.connect();
  t.after(() => redis.quit());
  const ctx = { redis, keys: createKeys(env.REDIS_PREFIX!), config };

  // Guests with real sessions, queued at the same moment by the step START_MATCHMAKING runs.
  const guests = await Promise.all(Array.from({ length: PLAYERS }, () => createGuestSession(ctx)));
  await Promise.all(
    guests.map(({ session }) =>
      enqueue(ctx, {
        userId: session.userId,
        username: session.username,
        guest: true,
        pool: POOL,
        rated: false,
        autoAccept: true,
        rating: 1500,
      }),
    ),
  );

  // As soon as a wave has begun to take players out of the queue, kill the instance holding it.
  const lockKey = ctx.keys.waveLock(POOL, false);
  const queueKey = ctx.keys.queue(POOL, false);
  let victim: ChildInstance | undefined;
  await eventually(
    "a wave is under way",
    async () => {
      const [owner, size] = await Promise.all([redis.get(lockKey), redis.zCard(queueKey)]);
      if (owner === null || size === PLAYERS) return false;
      victim = children.find((c) => String(c.process.pid) === owner.split(":")[0]);
      return true;
    },
    20_000,
  );
  assert.ok(victim, "the lock names one of the instances");
  await victim.kill();
  const liveKeys = guests.map(({ session }) => ctx.keys.live(session.userId));
  const states = async () =>
    (await redis.mGet(liveKeys)).map(
      (raw) => (raw === null ? { status: "idle" } : JSON.parse(raw)) as StoredLiveState,
    );
  const playingAtKill = (await states()).filter((s) => s.status === "playing").length;
  const queuedAtKill = await redis.zCard(queueKey);
  t.diagnostic(
    `when the owner died: ${playingAtKill} playing, ${queuedAtKill} queued of ${PLAYERS}`,
  );
  assert.ok(playingAtKill < PLAYERS, "the owner died before finishing its wave");

  // The survivors take the next waves (and start the games whose proposals both had accepted).
  const owners = new Set<string>();
  await eventually(
    "every player plays",
    async () => {
      const owner = await redis.get(lockKey);
      if (owner !== null) owners.add(owner.split(":")[0]!);
      return (await states()).every((s) => s.status === "playing");
    },
    60_000,
  );
  const survivors = children.filter((c) => c !== victim);
  const survivorPids = survivors.map((c) => String(c.process.pid));
  if (queuedAtKill >= 2) {
    assert.ok(
      [...owners].some((pid) => survivorPids.includes(pid)),
      "a survivor ran a later wave",
    );
  }

  const games = await allGames(ctx);
  assert.equal(games.length, PLAYERS / 2);
  const gameOf = new Map<string, string>();
  for (const g of games) {
    for (const id of [g.white, g.black]) {
      assert.ok(!gameOf.has(id), `${id} sits in two games`);
      gameOf.set(id, g.id);
    }
  }
  const final = await states();
  guests.forEach(({ session }, i) => {
    assert.deepEqual(final[i], { status: "playing", gameId: gameOf.get(session.userId) });
  });

  // What a player sees on coming back, through a surviving instance.
  for (const { sessionId, session } of guests.slice(0, 6)) {
    const back = await join(survivors[0]!.url, sessionId);
    const state = (back.client.received[0]!.payload as { state: unknown }).state;
    back.client.close();
    assert.deepEqual(state, { status: "playing", gameId: gameOf.get(session.userId) });
  }
});
