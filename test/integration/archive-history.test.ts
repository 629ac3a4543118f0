// A player's history over HTTP: newest first, cursor pages that neither skip nor repeat a game (also
// when games end in the same millisecond), and refusals of bad paging input.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Game } from "../../src/protocol/types.js";
import { randomSan } from "../helpers/chess-fixtures.js";
import { testEnv } from "../helpers/env.js";
import { eventually, insertUser, writeEndedGame, instanceWithStores } from "../helpers/games.js";

interface Page {
  games: Game[];
  next: string | null;
}

test("7 games, limit 3: pages of 3, 3 and 1, newest first, no duplicates, only the player's games", async (t) => {
  const env = testEnv();
  const { instance, stores } = await instanceWithStores(t, env);
  const alice = await insertUser(stores.mongo, "alice");
  const bob = await insertUser(stores.mongo, "bob");
  const carol = await insertUser(stores.mongo, "carol");
  const base = Date.UTC(2024, 5, 1);
  // Two pairs end in the same millisecond: the cursor must tell them apart by id.
  const endings = [0, 1_000, 1_000, 2_000, 3_000, 3_000, 4_000];
  const outcomes = [
    { result: "1-0", reason: "resign", winner: "white" },
    { result: "0-1", reason: "timeout", winner: "black" },
    { result: "1/2-1/2", reason: "stalemate", winner: null },
  ] as const;
  const written: Game[] = [];
  for (const [i, offset] of endings.entries()) {
    const aliceWhite = i % 2 === 0;
    const a = { id: alice._id, username: "alice" };
    const b = { id: bob._id, username: "bob" };
    written.push(
      await writeEndedGame(stores, {
        white: aliceWhite ? a : b,
        black: aliceWhite ? b : a,
        san: randomSan(30, i + 1),
        ...outcomes[i % 3]!,
        endedAt: base + offset,
      }),
    );
  }
  await writeEndedGame(stores, {
    white: { id: bob._id, username: "bob" },
    black: { id: carol._id, username: "carol" },
    result: "1-0",
    reason: "resign",
    winner: "white",
    endedAt: base + 10_000,
  });
  await eventually(async () => (await stores.redis.xLen(stores.keys.archive)) === 0, "archiving");

  const pages: Page[] = [];
  let url = `${instance.url}/api/users/alice/games?limit=3`;
  for (;;) {
    const res = await fetch(url);
    assert.equal(res.status, 200);
    const page = (await res.json()) as Page;
    pages.push(page);
    if (page.next === null) break;
    assert.ok(pages.length < 5, "pagination ends");
    url = `${instance.url}/api/users/Alice/games?limit=3&before=${encodeURIComponent(page.next)}`;
  }
  assert.deepEqual(
    pages.map((p) => p.games.length),
    [3, 3, 1],
  );
  const seen = pages.flatMap((p) => p.games);
  const expected = [...written].sort(
    (x, y) => y.endedAt! - x.endedAt! || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0),
  );
  assert.deepEqual(
    seen.map((g) => g.id),
    expected.map((g) => g.id),
    "newest first, ties by id, each once",
  );
  // Items are full game objects as PROTOCOL.md shows them, equal to what Redis held.
  const byId = new Map(written.map((g) => [g.id, g]));
  for (const g of seen) assert.deepEqual(g, byId.get(g.id));

  const all = (await (await fetch(`${instance.url}/api/users/alice/games`)).json()) as Page;
  assert.equal(all.games.length, 7, "default limit 20 holds them all");
  assert.equal(all.next, null);
  const profile = (await (await fetch(`${instance.url}/api/users/alice`)).json()) as {
    games: unknown;
  };
  // alice (white in even games) won games 0, 1 and 6, lost 3 and 4, drew 2 and 5.
  assert.deepEqual(profile.games, { total: 7, wins: 3, losses: 2, draws: 2 });
  const carolPage = (await (await fetch(`${instance.url}/api/users/carol/games`)).json()) as Page;
  assert.equal(carolPage.games.length, 1);
});

test("bad paging input is 400 INVALID_INPUT", async (t) => {
  const env = testEnv();
  const { instance, stores } = await instanceWithStores(t, env);
  await insertUser(stores.mongo, "dora");
  const bad = [
    "limit=0",
    "limit=101",
    "limit=abc",
    "limit=2.5",
    "limit=1&limit=2",
    "before=not-a-cursor",
    `before=${Buffer.from("12.$where").toString("base64url")}`,
    "before=",
  ];
  for (const query of bad) {
    const res = await fetch(`${instance.url}/api/users/dora/games?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(
      ((await res.json()) as { error: { code: string } }).error.code,
      "INVALID_INPUT",
      query,
    );
  }
  const ok = await fetch(`${instance.url}/api/users/dora/games?limit=100`);
  assert.deepEqual(await ok.json(), { games: [], next: null });
});
