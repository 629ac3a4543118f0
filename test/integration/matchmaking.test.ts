import assert from "node:assert/strict";
import { test } from "node:test";
import type { Game } from "../../src/protocol/types.js";
import { testEnv } from "../helpers/env.js";
import { startMany } from "../helpers/instances.js";
import {
  acceptEveryProposal,
  ackError,
  ackState,
  allGames,
  closeAll,
  join,
  queueUp,
  stored,
  type Player,
} from "../helpers/matchmaking.js";

void test("40 players queue at once through three instances: exactly 20 games, each player in one", async (t) => {
  const env = testEnv();
  const instances = await startMany(env, 3);
  const players: Player[] = await Promise.all(
    Array.from({ length: 40 }, (_, i) => join(instances[i % 3]!.url)),
  );
  t.after(() => closeAll(instances, players));
  // Half accept by themselves (autoAccept), half answer each proposal; two pools.
  players.forEach((p, i) => {
    if (i % 2 === 1) acceptEveryProposal(p);
  });
  const acks = await Promise.all(
    players.map((p, i) => queueUp(p, i < 20 ? "3+2" : "1+0", { autoAccept: i % 2 === 0 })),
  );
  for (const ack of acks) assert.equal(ackState(ack).status, "queued");

  const starts: Game[] = await Promise.all(
    players.map(async (p) => (await p.client.next("client/START_GAME", 30_000)).game),
  );
  const ctx = instances[0]!.ctx;
  const byGame = new Map<string, Set<string>>();
  players.forEach((p, i) => {
    const game = starts[i]!;
    assert.ok([game.white.id, game.black.id].includes(p.user.id), "START_GAME names its receiver");
    assert.equal(game.timeControl.label, i < 20 ? "3+2" : "1+0");
    assert.equal(game.rated, false);
    byGame.set(game.id, (byGame.get(game.id) ?? new Set()).add(p.user.id));
  });
  assert.equal(byGame.size, 20);
  for (const members of byGame.values()) assert.equal(members.size, 2);
  for (const [i, p] of players.entries()) {
    assert.deepEqual(await stored(ctx, p.user.id), { status: "playing", gameId: starts[i]!.id });
  }
  const games = await allGames(ctx);
  assert.equal(games.length, 20, "no game beyond the 20 announced");
  const seated = games.flatMap((g) => [g.white, g.black]);
  assert.equal(new Set(seated).size, 40);
  // Every request was recorded through Redis as matchmaker/ADD_TO_QUEUE.
  const records = (await ctx.redis.xRange(ctx.keys.matchmaker, "-", "+")) ?? [];
  assert.equal(records.filter((r) => r.message.type === "matchmaker/ADD_TO_QUEUE").length, 40);
  // A second START_GAME never comes.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  for (const p of players) {
    assert.equal(p.client.received.filter((a) => a.type === "client/START_GAME").length, 1);
  }
});

void test("cancel leaves the queue; a second cancel is refused with NOT_IN_QUEUE", async (t) => {
  const env = testEnv();
  const instances = await startMany(env, 3);
  const alice = await join(instances[0]!.url);
  t.after(() => closeAll(instances, [alice]));
  const ctx = instances[1]!.ctx;

  const queued = ackState(await queueUp(alice, "5+0"));
  assert.equal(queued.status, "queued");
  assert.equal(
    (await ctx.redis.zScore(ctx.keys.queue("5+0", false), alice.user.id)) !== null,
    true,
  );

  const cancelled = await alice.client.send("server/CANCEL_MATCHMAKING", {});
  assert.deepEqual(ackState(cancelled), { status: "idle" });
  assert.deepEqual(await stored(ctx, alice.user.id), { status: "idle" });
  assert.equal(await ctx.redis.zScore(ctx.keys.queue("5+0", false), alice.user.id), null);
  assert.equal(await ctx.redis.hGet(ctx.keys.queueEntries("5+0", false), alice.user.id), null);

  assert.equal(ackError(await alice.client.send("server/CANCEL_MATCHMAKING", {})), "NOT_IN_QUEUE");
  // Idle again, so the player may queue again.
  assert.equal(ackState(await queueUp(alice, "5+0")).status, "queued");
});

void test("a guest asking for a rated game is refused with GUEST_RATED and stays idle", async (t) => {
  const env = testEnv();
  const instances = await startMany(env, 3);
  const guest = await join(instances[2]!.url);
  t.after(() => closeAll(instances, [guest]));
  assert.equal(ackError(await queueUp(guest, "3+0", { rated: true })), "GUEST_RATED");
  assert.deepEqual(await stored(instances[0]!.ctx, guest.user.id), { status: "idle" });
  guest.client.fire("server/START_MATCHMAKING", { timeControl: "3+0", rated: true });
  assert.equal((await guest.client.next("client/ERROR")).code, "GUEST_RATED");
});

void test("bad input is refused with INVALID_INPUT: unknown pool, missing fields", async (t) => {
  const instances = await startMany(testEnv(), 3);
  const p = await join(instances[0]!.url);
  t.after(() => closeAll(instances, [p]));
  assert.equal(ackError(await queueUp(p, "4+4")), "INVALID_INPUT");
  assert.equal(ackError(await p.client.send("server/START_MATCHMAKING", {})), "INVALID_INPUT");
  assert.equal(
    ackError(await p.client.send("server/REPLY_MATCHUP", { matchId: "x" })),
    "INVALID_INPUT",
  );
  assert.deepEqual(await stored(instances[0]!.ctx, p.user.id), { status: "idle" });
});

void test("ALREADY_IN_QUEUE when queued, proposed or playing; only the asking socket hears it", async (t) => {
  const env = testEnv();
  const instances = await startMany(env, 3);
  const alice = await join(instances[0]!.url);
  const aliceElsewhere = await join(instances[1]!.url, alice.sessionId);
  const bob = await join(instances[2]!.url);
  t.after(() => closeAll(instances, [alice, aliceElsewhere, bob]));

  const queued = ackState(await queueUp(alice, "10+0"));
  const again = async () => {
    const ack = await queueUp(alice, "3+2", { autoAccept: true });
    assert.equal(ackError(ack), "ALREADY_IN_QUEUE");
    return (await alice.client.next("client/ALREADY_IN_QUEUE")).state;
  };
  assert.deepEqual(await again(), queued);
  assert.deepEqual(await stored(instances[0]!.ctx, alice.user.id), {
    status: "queued",
    timeControl: "10+0",
    rated: false,
    since: (queued as { since: number }).since,
    autoAccept: false,
  });

  await queueUp(bob, "10+0");
  const proposal = await alice.client.next("client/PROPOSE_MATCHUP", 15_000);
  const proposed = await again();
  assert.equal(proposed.status, "proposed");
  assert.deepEqual((proposed as { proposal: unknown }).proposal, proposal);

  await bob.client.send("server/REPLY_MATCHUP", { matchId: proposal.matchId, accept: true });
  const accepted = await alice.client.send("server/REPLY_MATCHUP", {
    matchId: proposal.matchId,
    accept: true,
  });
  const playing = ackState(accepted);
  const { game } = await alice.client.next("client/START_GAME");
  assert.deepEqual(playing, { status: "playing", gameId: game.id });
  assert.deepEqual(await again(), { status: "playing", gameId: game.id });

  // The user's other socket heard the proposal and the game, but none of the refusals.
  await aliceElsewhere.client.next("client/START_GAME");
  assert.equal(
    aliceElsewhere.client.received.filter((a) => a.type === "client/ALREADY_IN_QUEUE").length,
    0,
  );
});

void test("decline: the player who accepted is requeued with the same since; the decliner is idle", async (t) => {
  const env = testEnv();
  const instances = await startMany(env, 3);
  const eager = await join(instances[0]!.url);
  const shy = await join(instances[1]!.url);
  const stranger = await join(instances[2]!.url);
  t.after(() => closeAll(instances, [eager, shy, stranger]));
  const ctx = instances[2]!.ctx;

  const since = (ackState(await queueUp(eager, "2+1", { autoAccept: true })) as { since: number })
    .since;
  await queueUp(shy, "2+1");
  const offer = await shy.client.next("client/PROPOSE_MATCHUP", 15_000);
  assert.equal(offer.opponent.username, eager.user.username);
  assert.equal(offer.opponent.rating, 1500);
  assert.equal((await eager.client.next("client/PROPOSE_MATCHUP")).matchId, offer.matchId);

  const notMine = await stranger.client.send("server/REPLY_MATCHUP", {
    matchId: offer.matchId,
    accept: true,
  });
  assert.equal(ackError(notMine), "UNKNOWN_MATCH");

  const declined = await shy.client.send("server/REPLY_MATCHUP", {
    matchId: offer.matchId,
    accept: false,
  });
  assert.deepEqual(ackState(declined), { status: "idle" });
  assert.deepEqual(await eager.client.next("client/MATCHUP_CANCELLED"), {
    matchId: offer.matchId,
    reason: "declined",
    requeued: true,
  });
  assert.deepEqual(await shy.client.next("client/MATCHUP_CANCELLED"), {
    matchId: offer.matchId,
    reason: "declined",
    requeued: false,
  });
  assert.deepEqual(await stored(ctx, eager.user.id), {
    status: "queued",
    timeControl: "2+1",
    rated: false,
    since,
    autoAccept: true,
  });
  assert.equal(await ctx.redis.zScore(ctx.keys.queue("2+1", false), eager.user.id), since);
  assert.deepEqual(await stored(ctx, shy.user.id), { status: "idle" });
  assert.equal(await ctx.redis.get(ctx.keys.proposal(offer.matchId)), null);
  const again = await shy.client.send("server/REPLY_MATCHUP", {
    matchId: offer.matchId,
    accept: true,
  });
  assert.equal(ackError(again), "UNKNOWN_MATCH");
});

void test("a join is paired at once when a compatible opponent waits, not at the next wave; PAIRING_SOON_MS=0 waits for it", async (t) => {
  // One periodic wave at the start, then none for an hour: only a join's own wave can pair.
  for (const soon of ["50", "0"]) {
    const instances = await startMany(
      testEnv({ PAIRING_INTERVAL_MS: "3600000", PAIRING_SOON_MS: soon }),
      2,
    );
    const alice = await join(instances[0]!.url);
    const bob = await join(instances[1]!.url);
    t.after(() => closeAll(instances, [alice, bob]));
    ackState(await queueUp(alice, "3+2"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const queuedAt = Date.now();
    ackState(await queueUp(bob, "3+2"));
    if (soon === "50") {
      const proposal = await bob.client.next("client/PROPOSE_MATCHUP", 2_000);
      assert.equal((await alice.client.next("client/PROPOSE_MATCHUP")).matchId, proposal.matchId);
      t.diagnostic(`paired ${Date.now() - queuedAt} ms after the second join`);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal((await stored(instances[0]!.ctx, bob.user.id)).status, "queued");
      assert.equal(
        alice.client.received.filter((m) => m.type === "client/PROPOSE_MATCHUP").length,
        0,
      );
    }
  }
});
