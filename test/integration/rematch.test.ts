import assert from "node:assert/strict";
import { test } from "node:test";
import type { Game } from "../../src/protocol/types.js";
import { api } from "../helpers/accounts.js";
import { answer, challengeOf, create, member } from "../helpers/challenges.js";
import { testEnv } from "../helpers/env.js";
import { startMany } from "../helpers/instances.js";
import {
  ackError,
  ackState,
  allGames,
  closeAll,
  eventually,
  join,
  queueUp,
  type Player,
} from "../helpers/matchmaking.js";

/** A game between `white` and `black` through a challenge, ended at once (an abort). */
async function finishedGame(
  white: Player,
  black: Player,
  opts: { timeControl?: string; rated?: boolean } = {},
): Promise<Game> {
  const challenge = challengeOf(
    await create(white, {
      timeControl: opts.timeControl ?? "3+2",
      rated: opts.rated ?? false,
      color: "white",
      to: black.user.username,
    }),
  );
  await black.client.next("client/CHALLENGE");
  ackState(await answer(black, "ACCEPT", challenge.id));
  const { game } = await white.client.next("client/START_GAME");
  await black.client.next("client/START_GAME");
  for (const p of [white, black]) {
    assert.equal((await p.client.send("game/PLAYER_READY", { gameId: game.id })).ok, true);
    await p.client.next("client/RESUME_GAME");
  }
  assert.equal((await white.client.send("game/CONCEDE", { gameId: game.id })).ok, true);
  for (const p of [white, black]) await p.client.next("client/GAME_OVER");
  return game;
}

const offer = (p: Player, gameId: unknown) => p.client.send("game/OFFER_REMATCH", { gameId });
const decline = (p: Player, gameId: unknown) => p.client.send("game/DECLINE_REMATCH", { gameId });

void test("rematch: offered, then accepted by the other's offer: colours swapped, same time control and mode, listed live", async (t) => {
  const instances = await startMany(testEnv(), 2);
  const [a, b] = instances.map((i) => i.url) as [string, string];
  const alice = await member(a);
  const bob = await member(a, b);
  t.after(() => closeAll(instances, [alice, bob]));
  const ctx = instances[0]!.ctx;
  const first = await finishedGame(alice, bob, { timeControl: "5+3", rated: true });

  assert.equal((await offer(alice, first.id)).ok, true);
  for (const p of [alice, bob])
    assert.deepEqual(await p.client.next("client/REMATCH_OFFERED"), {
      gameId: first.id,
      by: "white",
    });
  // Offering again changes nothing and announces nothing.
  assert.equal((await offer(alice, first.id)).ok, true);

  const state = ackState(await offer(bob, first.id));
  assert.equal(state.status, "playing");
  const started = await alice.client.next("client/START_GAME");
  assert.deepEqual((await bob.client.next("client/START_GAME")).game, started.game);
  const next = started.game;
  assert.equal(state.status === "playing" && state.gameId, next.id);
  assert.equal(next.white.id, bob.user.id, "colours swapped");
  assert.equal(next.black.id, alice.user.id);
  assert.deepEqual(next.timeControl, first.timeControl);
  assert.equal(next.rated, true);
  assert.equal(next.status, "started");
  assert.equal(next.v, 0);
  assert.equal(await ctx.redis.exists(ctx.keys.rematch(first.id)), 0, "the offer is gone");
  assert.equal(await ctx.redis.exists(ctx.keys.userRematch(alice.user.id)), 0);
  // One offer to accept: a third offer now is BUSY (both are playing).
  assert.equal(ackError(await offer(alice, first.id)), "BUSY");

  // The watch page's list: the new game, not the finished one; newest first, bounded.
  const listed = await api(b, "GET", "/api/games?status=live");
  assert.equal(listed.status, 200);
  const games = (listed.json as unknown as { games: Game[] }).games;
  assert.deepEqual(
    games.map((g) => g.id),
    [next.id],
  );
  assert.equal(games[0]!.white.username, bob.user.username);
  const carol = await member(a);
  const dave = await member(b);
  t.after(() => closeAll([], [carol, dave]));
  const challenge = challengeOf(
    await create(carol, { timeControl: "1+0", to: dave.user.username }),
  );
  await dave.client.next("client/CHALLENGE");
  ackState(await answer(dave, "ACCEPT", challenge.id));
  const newest = (await carol.client.next("client/START_GAME")).game;
  const top = await api(a, "GET", "/api/games?status=live&limit=1");
  assert.deepEqual(
    (top.json as unknown as { games: Game[] }).games.map((g) => g.id),
    [newest.id],
  );
  for (const bad of ["", "?status=ended", "?status=live&limit=0", "?status=live&limit=101"]) {
    const res = await api(a, "GET", `/api/games${bad}`);
    assert.equal(res.status, 400, bad);
    assert.equal(res.json.error.code, "INVALID_INPUT");
  }
});

void test("rematch declined, lapsed by a queue, lapsed after REMATCH_MS, and two offers a minute", async (t) => {
  const instances = await startMany(testEnv({ REMATCH_MS: "1500" }), 2);
  const [a, b] = instances.map((i) => i.url) as [string, string];
  const alice = await join(a);
  const bob = await join(b);
  t.after(() => closeAll(instances, [alice, bob]));
  const ctx = instances[1]!.ctx;
  const game = await finishedGame(alice, bob); // guests, unrated, aborted: a rematch all the same

  assert.equal(ackError(await decline(bob, game.id)), "NO_REMATCH_OFFER", "nothing offered yet");
  assert.equal((await offer(alice, game.id)).ok, true);
  await bob.client.next("client/REMATCH_OFFERED");
  assert.equal(ackError(await decline(alice, game.id)), "NO_REMATCH_OFFER", "not one's own");
  assert.equal((await decline(bob, game.id)).ok, true);
  for (const p of [alice, bob])
    assert.deepEqual(await p.client.next("client/REMATCH_DECLINED"), {
      gameId: game.id,
      by: "black",
    });
  assert.equal(await ctx.redis.exists(ctx.keys.rematch(game.id)), 0);

  // Offered again (alice's second this minute); bob queues instead: the offer lapses.
  assert.equal((await offer(alice, game.id)).ok, true);
  await bob.client.next("client/REMATCH_OFFERED");
  ackState(await queueUp(bob, "10+5"));
  for (const p of [alice, bob])
    assert.deepEqual(await p.client.next("client/REMATCH_DECLINED"), {
      gameId: game.id,
      by: "black",
    });
  assert.equal(ackError(await offer(alice, game.id)), "BUSY", "bob is queued");
  assert.equal(ackError(await offer(bob, game.id)), "BUSY");
  assert.equal((await bob.client.send("server/CANCEL_MATCHMAKING", {})).ok, true);
  assert.equal(ackError(await offer(alice, game.id)), "RATE_LIMITED", "a third offer this minute");

  // Bob's offer lapses by itself after REMATCH_MS: alice's later offer is a new one, no game.
  assert.equal((await offer(bob, game.id)).ok, true);
  await alice.client.next("client/REMATCH_OFFERED");
  await eventually(
    "the offer lapsed",
    async () => !(await ctx.redis.exists(ctx.keys.rematch(game.id))),
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(ackError(await offer(alice, game.id)), "RATE_LIMITED", "still alice's third");
  const ack = await offer(bob, game.id);
  assert.equal(ack.ok, true);
  assert.equal((ack as { state?: unknown }).state, undefined, "a new offer, not an acceptance");
  assert.equal((await allGames(ctx)).length, 1, "no game was started");
});

void test("rematch offers racing through two instances start one game; hostile rematches change nothing", async (t) => {
  const instances = await startMany(testEnv(), 2);
  const [a, b] = instances.map((i) => i.url) as [string, string];
  const alice = await join(a);
  const bob = await join(b);
  const mallory = await join(b);
  t.after(() => closeAll(instances, [alice, bob, mallory]));
  const ctx = instances[0]!.ctx;
  const game = await finishedGame(alice, bob);
  const before = await ctx.redis.hGetAll(ctx.keys.game(game.id));

  // Hostile: not a game id, no such game, someone else's game, a live game.
  assert.equal(ackError(await offer(mallory, "../x")), "INVALID_INPUT");
  assert.equal(ackError(await offer(mallory, 42)), "INVALID_INPUT");
  assert.equal(ackError(await offer(mallory, "nosuchgame")), "NOT_FOUND");
  assert.equal(ackError(await offer(mallory, game.id)), "NOT_YOUR_GAME");
  assert.equal(ackError(await decline(mallory, game.id)), "NOT_YOUR_GAME");
  assert.equal(await ctx.redis.exists(ctx.keys.rematch(game.id)), 0);
  assert.deepEqual(await ctx.redis.hGetAll(ctx.keys.game(game.id)), before);

  // Both offer at the same instant, through two instances: one game, the same for both.
  const [x, y] = await Promise.all([offer(alice, game.id), offer(bob, game.id)]);
  assert.equal(x.ok && y.ok, true, JSON.stringify([x, y]));
  const started = await alice.client.next("client/START_GAME");
  assert.deepEqual((await bob.client.next("client/START_GAME")).game, started.game);
  await eventually("the game's hashes settle", async () => (await allGames(ctx)).length === 2);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await allGames(ctx)).length, 2, "the finished game and one rematch");
  assert.equal(
    alice.client.received.filter((m) => m.type === "client/START_GAME").length,
    2,
    "alice got the first game's start and one rematch's",
  );
  // A rematch of the live rematch is BUSY for its players, NOT_YOUR_GAME for anyone else.
  assert.equal(ackError(await offer(bob, started.game.id)), "BUSY");
  assert.equal(ackError(await offer(mallory, started.game.id)), "NOT_YOUR_GAME");
});
