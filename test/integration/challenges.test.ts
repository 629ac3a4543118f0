import assert from "node:assert/strict";
import { test } from "node:test";
import type { Challenge } from "../../src/protocol/types.js";
import { expireChallenge } from "../../src/jobs/challenges.js";
import { api } from "../helpers/accounts.js";
import { answer, challengeOf, challengeTraces, create, member } from "../helpers/challenges.js";
import { testEnv } from "../helpers/env.js";
import { cutProxy } from "../helpers/cut-proxy.js";
import { startInProcess, startMany } from "../helpers/instances.js";
import {
  ackError,
  ackState,
  allGames,
  closeAll,
  eventually,
  join,
  queueUp,
  stored,
  type Player,
} from "../helpers/matchmaking.js";

const resumedChallenges = (p: Player): Challenge[] =>
  (p.client.received[0]!.payload as { challenges: Challenge[] }).challenges;

void test("by username: the addressee is told at once and on a later connection; accepting starts the game for both", async (t) => {
  const instances = await startMany(testEnv(), 3);
  const [a, b, c] = instances.map((i) => i.url) as [string, string, string];
  const alice = await member(a);
  const bob = await member(a, b);
  const players = [alice, bob];
  t.after(() => closeAll(instances, players));
  const ctx = instances[2]!.ctx;

  const ack = await create(alice, {
    timeControl: "7+3",
    color: "white",
    to: bob.user.username.toUpperCase(),
  });
  const challenge = challengeOf(ack);
  assert.deepEqual(challenge, {
    id: challenge.id,
    from: { username: alice.user.username, rating: 1500 },
    to: bob.user.username,
    timeControl: "7+3",
    rated: false,
    color: "white",
    expiresAt: challenge.expiresAt,
  });
  const day = 86_400_000;
  assert.ok(Math.abs(challenge.expiresAt - (Date.now() + day)) < 60_000, "CHALLENGE_MS by default");
  assert.deepEqual((await bob.client.next("client/CHALLENGE")).challenge, challenge);
  assert.deepEqual((await alice.client.next("client/CHALLENGE")).challenge, challenge);

  // Later connections, on another instance, find it in RESUME_SESSION; the link shows it too.
  const bobLater = await join(c, bob.sessionId);
  const aliceLater = await join(c, alice.sessionId);
  players.push(bobLater, aliceLater);
  assert.deepEqual(resumedChallenges(bobLater), [challenge]);
  assert.deepEqual(resumedChallenges(aliceLater), [challenge]);
  const shown = await api(b, "GET", `/api/challenges/${challenge.id}`);
  assert.equal(shown.status, 200);
  assert.deepEqual(shown.json, { challenge });

  const accepted = await answer(bob, "ACCEPT", challenge.id);
  const state = ackState(accepted);
  assert.equal(state.status, "playing");
  for (const p of [alice, bob, aliceLater, bobLater]) {
    const { game } = await p.client.next("client/START_GAME");
    assert.equal(game.id, (state as { gameId: string }).gameId);
    assert.equal(game.white.id, alice.user.id);
    assert.equal(game.black.id, bob.user.id);
    assert.deepEqual(game.timeControl, {
      label: "7+3",
      initialMs: 420_000,
      incrementMs: 3_000,
      speed: "rapid",
    });
    assert.equal(game.rated, false);
    assert.equal(game.v, 0);
  }
  for (const p of [alice, bob]) assert.deepEqual(await stored(ctx, p.user.id), state);
  assert.deepEqual(await challengeTraces(ctx), [], "the challenge, its lists and expiry are gone");
  assert.equal((await api(c, "GET", `/api/challenges/${challenge.id}`)).status, 404);
  assert.equal(ackError(await answer(bob, "ACCEPT", challenge.id)), "UNKNOWN_CHALLENGE");
  assert.equal((await allGames(ctx)).length, 1);
});

void test("by link: a guest accepts; queued players, the challenger too, leave their queues in the same step", async (t) => {
  const instances = await startMany(testEnv(), 2);
  const host = await join(instances[0]!.url);
  const guest = await join(instances[1]!.url);
  t.after(() => closeAll(instances, [host, guest]));
  const ctx = instances[0]!.ctx;

  assert.equal(ackState(await queueUp(host, "3+0")).status, "queued");
  assert.equal(ackState(await queueUp(guest, "10+0")).status, "queued");
  const challenge = challengeOf(await create(host, { timeControl: "1+0", color: "black" }));
  assert.equal(challenge.to, null);
  assert.equal(challenge.color, "black");
  assert.equal(guest.client.received.filter((a) => a.type === "client/CHALLENGE").length, 0);
  const shown = await api(instances[1]!.url, "GET", `/api/challenges/${challenge.id}`);
  assert.deepEqual(shown.json, { challenge });

  assert.equal(ackState(await answer(guest, "ACCEPT", challenge.id)).status, "playing");
  const [{ game }] = await Promise.all([
    host.client.next("client/START_GAME"),
    guest.client.next("client/START_GAME"),
  ]);
  assert.equal(game.black.id, host.user.id);
  assert.equal(game.white.id, guest.user.id);
  assert.equal(game.timeControl.speed, "bullet");
  for (const [pool, p] of [
    ["3+0", host],
    ["10+0", guest],
  ] as const) {
    assert.equal(await ctx.redis.zScore(ctx.keys.queue(pool, false), p.user.id), null);
    assert.equal(await ctx.redis.hGet(ctx.keys.queueEntries(pool, false), p.user.id), null);
    assert.deepEqual(await stored(ctx, p.user.id), { status: "playing", gameId: game.id });
  }
});

void test("a guest is challenged by its generated name, in any letter case, until it registers", async (t) => {
  const instances = await startMany(testEnv(), 2);
  const alice = await member(instances[0]!.url);
  const guest = await join(instances[1]!.url);
  const players = [alice, guest];
  t.after(() => closeAll(instances, players));

  const to = guest.user.username.toUpperCase();
  const challenge = challengeOf(await create(alice, { timeControl: "2+1", to }));
  assert.equal(challenge.to, guest.user.username);
  assert.deepEqual((await guest.client.next("client/CHALLENGE")).challenge, challenge);
  assert.equal(ackError(await create(guest, { timeControl: "2+1", to })), "INVALID_INPUT");
  assert.equal(
    ackError(await create(alice, { timeControl: "2+1", to: "Guest-zzzzzz" })),
    "NOT_FOUND",
  );
  assert.equal((await answer(guest, "DECLINE", challenge.id)).ok, true);

  const registered = await guest.client.send("server/REGISTER_USER", {
    username: `r${guest.user.id.slice(0, 8).replace(/[^A-Za-z0-9]/g, "x")}`,
    password: "correct horse battery",
  });
  assert.equal(registered.ok, true, JSON.stringify(registered));
  assert.equal(ackError(await create(alice, { timeControl: "2+1", to })), "NOT_FOUND");
});

void test("acceptors racing through different instances: one game, the others UNKNOWN_CHALLENGE", async (t) => {
  const instances = await startMany(testEnv(), 3);
  const players: Player[] = [];
  t.after(() => closeAll(instances, players));
  const ctx = instances[0]!.ctx;
  for (let round = 0; round < 5; round++) {
    const host = await join(instances[round % 3]!.url);
    const racers = await Promise.all([1, 2].map((i) => join(instances[(round + i) % 3]!.url)));
    players.push(host, ...racers);
    const challenge = challengeOf(await create(host, { timeControl: "5+0" }));
    const acks = await Promise.all(racers.map((r) => answer(r, "ACCEPT", challenge.id)));
    const won = acks.filter((a) => a.ok);
    assert.equal(won.length, 1, JSON.stringify(acks));
    assert.deepEqual(
      acks.filter((a) => !a.ok).map(ackError),
      ["UNKNOWN_CHALLENGE"],
      "the loser learns the challenge is taken",
    );
    const winner = racers[acks.indexOf(won[0]!)]!;
    const loser = racers.find((r) => r !== winner)!;
    const { game } = await host.client.next("client/START_GAME");
    assert.deepEqual([game.white.id, game.black.id].sort(), [host.user.id, winner.user.id].sort());
    assert.deepEqual(await stored(ctx, loser.user.id), { status: "idle" });
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal((await allGames(ctx)).length, 5);
  for (const p of players) {
    const starts = p.client.received.filter((a) => a.type === "client/START_GAME").length;
    assert.ok(starts <= 1, "nobody starts two games");
  }
});

void test("expiry runs with every socket closed; while connected, both are told", async (t) => {
  const instances = await startMany(testEnv({ CHALLENGE_MS: "1500" }), 2);
  const [a, b] = instances.map((i) => i.url) as [string, string];
  const alice = await member(a);
  const bob = await member(a, b);
  const players = [alice, bob];
  t.after(() => closeAll(instances, players));
  const ctx = instances[0]!.ctx;

  const seen = challengeOf(await create(alice, { timeControl: "3+2", to: bob.user.username }));
  assert.ok(seen.expiresAt - Date.now() < 2_000);
  for (const p of [alice, bob]) {
    assert.deepEqual(await p.client.next("client/CHALLENGE_CANCELLED", 15_000), {
      challengeId: seen.id,
      reason: "expired",
    });
  }
  assert.deepEqual(await challengeTraces(ctx), []);

  const unseen = challengeOf(await create(alice, { timeControl: "3+2", to: bob.user.username }));
  const link = challengeOf(await create(alice, { timeControl: "3+2" }));
  alice.client.close();
  bob.client.close();
  await eventually("both have expired", async () => (await challengeTraces(ctx)).length === 0);
  const aliceBack = await join(b, alice.sessionId);
  const bobBack = await join(a, bob.sessionId);
  players.push(aliceBack, bobBack);
  assert.deepEqual(resumedChallenges(aliceBack), []);
  assert.deepEqual(resumedChallenges(bobBack), []);
  for (const id of [unseen.id, link.id]) {
    assert.equal(ackError(await answer(bobBack, "ACCEPT", id)), "UNKNOWN_CHALLENGE");
    assert.equal((await api(a, "GET", `/api/challenges/${id}`)).status, 404);
  }
});

void test("cancel while the addressee has no socket, and decline: both told, nothing left", async (t) => {
  const instances = await startMany(testEnv(), 2);
  const [a, b] = instances.map((i) => i.url) as [string, string];
  const alice = await member(a);
  const bob = await member(a, b);
  const players = [alice, bob];
  t.after(() => closeAll(instances, players));
  const ctx = instances[1]!.ctx;

  const first = challengeOf(await create(alice, { timeControl: "15+10", to: bob.user.username }));
  await bob.client.next("client/CHALLENGE");
  bob.client.close();
  assert.equal((await answer(alice, "CANCEL", first.id)).ok, true);
  assert.deepEqual(await alice.client.next("client/CHALLENGE_CANCELLED"), {
    challengeId: first.id,
    reason: "cancelled",
  });
  const bobBack = await join(b, bob.sessionId);
  players.push(bobBack);
  assert.deepEqual(resumedChallenges(bobBack), []);
  assert.equal(ackError(await answer(bobBack, "ACCEPT", first.id)), "UNKNOWN_CHALLENGE");
  assert.equal(ackError(await answer(alice, "CANCEL", first.id)), "UNKNOWN_CHALLENGE");

  const second = challengeOf(await create(alice, { timeControl: "15+10", to: bob.user.username }));
  await bobBack.client.next("client/CHALLENGE");
  assert.equal((await answer(bobBack, "DECLINE", second.id)).ok, true);
  for (const p of [alice, bobBack]) {
    assert.deepEqual(await p.client.next("client/CHALLENGE_CANCELLED"), {
      challengeId: second.id,
      reason: "declined",
    });
  }
  assert.equal(ackError(await answer(bobBack, "DECLINE", second.id)), "UNKNOWN_CHALLENGE");
  assert.equal(ackError(await answer(bobBack, "ACCEPT", second.id)), "UNKNOWN_CHALLENGE");
  assert.deepEqual(await challengeTraces(ctx), []);
  for (const p of [alice, bob]) assert.deepEqual(await stored(ctx, p.user.id), { status: "idle" });
});

void test("hostile input: each refused with its code, nothing changed", async (t) => {
  const instances = await startMany(testEnv(), 2);
  const [a, b] = instances.map((i) => i.url) as [string, string];
  const alice = await member(a);
  const bob = await member(a, b);
  const carol = await member(a, b);
  const guest = await join(b);
  const [busyHost, busyGuest] = await Promise.all([join(a), join(b)]);
  const [proposedA, proposedB] = await Promise.all([join(a), join(b)]);
  const players = [alice, bob, carol, guest, busyHost, busyGuest, proposedA, proposedB];
  t.after(() => closeAll(instances, players));
  const ctx = instances[0]!.ctx;

  // Two players in a game of their own, through a challenge.
  const theirs = challengeOf(await create(busyHost, { timeControl: "30+20" }));
  assert.equal(ackState(await answer(busyGuest, "ACCEPT", theirs.id)).status, "playing");

  // Two more answering a match proposal.
  await Promise.all([queueUp(proposedA, "2+1"), queueUp(proposedB, "2+1")]);
  await proposedA.client.next("client/PROPOSE_MATCHUP", 15_000);
  await proposedB.client.next("client/PROPOSE_MATCHUP", 15_000);

  const toBob = challengeOf(await create(alice, { timeControl: "5+3", to: bob.user.username }));
  const ratedLink = challengeOf(await create(alice, { timeControl: "5+3", rated: true }));
  assert.equal(ratedLink.rated, true);
  const casualLink = challengeOf(await create(alice, { timeControl: "5+3" }));
  const before = await challengeTraces(ctx);
  const states = async () => Promise.all(players.map((p) => stored(ctx, p.user.id)));
  const statesBefore = await states();

  const badCreates: unknown[] = [
    {},
    { timeControl: "0+5" },
    { timeControl: "181+0" },
    { timeControl: "3+181" },
    { timeControl: "03+2" },
    { timeControl: "3+2 " },
    { timeControl: 3 },
    { timeControl: "3+2", rated: "yes" },
    { timeControl: "3+2", color: "green" },
    { timeControl: "3+2", to: "x" },
    { timeControl: "3+2", to: "bad name!" },
    { timeControl: "3+2", to: { $ne: null } },
    { timeControl: "3+2", extra: 1 },
    { timeControl: "3+2", to: alice.user.username.toLowerCase() },
    "3+2",
  ];
  for (const payload of badCreates) {
    const ack = await alice.client.send("server/CREATE_CHALLENGE", payload);
    assert.equal(ackError(ack), "INVALID_INPUT", JSON.stringify(payload));
  }
  const refusals: [Player, Record<string, unknown>, string][] = [
    [alice, { timeControl: "3+2", to: "nobody_here_x" }, "NOT_FOUND"],
    [guest, { timeControl: "3+2", rated: true }, "GUEST_RATED"],
    [busyHost, { timeControl: "3+2" }, "BUSY"],
    [busyGuest, { timeControl: "3+2", to: alice.user.username }, "BUSY"],
    [proposedA, { timeControl: "3+2" }, "BUSY"],
  ];
  for (const [p, payload, code] of refusals) {
    assert.equal(ackError(await create(p, payload)), code, JSON.stringify(payload));
  }

  for (const id of ["", "x".repeat(65), "a/b", "a b", 5, null, { $gt: "" }]) {
    for (const type of ["ACCEPT", "DECLINE", "CANCEL"] as const) {
      assert.equal(
        ackError(await answer(bob, type, id)),
        "INVALID_INPUT",
        `${type} ${JSON.stringify(id)}`,
      );
    }
  }
  const answers: [Player, "ACCEPT" | "DECLINE" | "CANCEL", string, string][] = [
    [bob, "ACCEPT", "no-such-challenge", "UNKNOWN_CHALLENGE"],
    [bob, "CANCEL", "no-such-challenge", "UNKNOWN_CHALLENGE"],
    [alice, "ACCEPT", toBob.id, "NOT_YOUR_GAME"], // one's own
    [carol, "ACCEPT", toBob.id, "NOT_YOUR_GAME"], // addressed to someone else
    [carol, "DECLINE", toBob.id, "NOT_YOUR_GAME"],
    [alice, "DECLINE", toBob.id, "NOT_YOUR_GAME"], // the challenger cancels, never declines
    [bob, "CANCEL", toBob.id, "NOT_YOUR_GAME"], // someone else's challenge
    [carol, "CANCEL", ratedLink.id, "NOT_YOUR_GAME"],
    [carol, "DECLINE", ratedLink.id, "NOT_YOUR_GAME"], // a link has nobody to decline it
    [guest, "ACCEPT", ratedLink.id, "GUEST_RATED"],
    [busyGuest, "ACCEPT", casualLink.id, "BUSY"], // the acceptor plays
    [proposedB, "ACCEPT", casualLink.id, "BUSY"], // the acceptor is proposed
    [carol, "ACCEPT", theirs.id, "UNKNOWN_CHALLENGE"], // taken already
  ];
  for (const [p, type, id, code] of answers) {
    assert.equal(ackError(await answer(p, type, id)), code, `${type} ${id}`);
  }
  assert.deepEqual(await challengeTraces(ctx), before, "no challenge made, taken or ended");
  assert.deepEqual(await states(), statesBefore, "nobody's state changed");
  for (const id of [toBob.id, ratedLink.id, casualLink.id]) {
    assert.equal((await api(a, "GET", `/api/challenges/${id}`)).status, 200, "still open");
  }
  for (const path of ["no-such", "a%20b", "x".repeat(65)]) {
    assert.equal((await api(a, "GET", `/api/challenges/${path}`)).status, 404, path);
  }

  // A challenger who starts playing after making a challenge: accepting it is BUSY; it stays open.
  const fromCarol = challengeOf(await create(carol, { timeControl: "5+3", to: bob.user.username }));
  const guestLink = challengeOf(await create(guest, { timeControl: "1+0" }));
  assert.equal(ackState(await answer(carol, "ACCEPT", guestLink.id)).status, "playing");
  assert.equal(ackError(await answer(bob, "ACCEPT", fromCarol.id)), "BUSY");
  assert.equal(await ctx.redis.exists(ctx.keys.challenge(fromCarol.id)), 1);
  assert.deepEqual(await stored(ctx, bob.user.id), { status: "idle" });
});

void test("past its expiresAt a challenge is closed even before its expiry has run; the expiry runs once", async (t) => {
  // The deadline poller looks once at start and then not for ten minutes: the expiry is run by hand.
  const instances = await startMany(
    testEnv({ CHALLENGE_MS: "1000", DEADLINE_POLL_MS: "600000" }),
    2,
  );
  const [a, b] = instances.map((i) => i.url) as [string, string];
  const alice = await member(a);
  const bob = await member(a, b);
  const players = [alice, bob];
  t.after(() => closeAll(instances, players));
  const ctx = instances[0]!.ctx;

  const challenge = challengeOf(await create(alice, { timeControl: "3+2", to: bob.user.username }));
  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, challenge.expiresAt - Date.now()) + 200),
  );
  for (const type of ["ACCEPT", "DECLINE"] as const) {
    assert.equal(ackError(await answer(bob, type, challenge.id)), "UNKNOWN_CHALLENGE", type);
  }
  assert.equal(ackError(await answer(alice, "CANCEL", challenge.id)), "UNKNOWN_CHALLENGE");
  assert.equal((await api(a, "GET", `/api/challenges/${challenge.id}`)).status, 404);
  const bobLater = await join(b, bob.sessionId);
  players.push(bobLater);
  assert.deepEqual(resumedChallenges(bobLater), []);
  assert.equal(await ctx.redis.exists(ctx.keys.challenge(challenge.id)), 1, "not yet expired");

  await expireChallenge(ctx, challenge.id);
  for (const p of [alice, bob, bobLater]) {
    assert.deepEqual(await p.client.next("client/CHALLENGE_CANCELLED"), {
      challengeId: challenge.id,
      reason: "expired",
    });
  }
  assert.deepEqual(await challengeTraces(ctx), []);
  // Run again (a retried deadline): nothing changes, nobody is told anything.
  await expireChallenge(ctx, challenge.id);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const told = bob.client.received.filter((x) => x.type === "client/CHALLENGE_CANCELLED");
  assert.equal(told.length, 1);
});

void test("a challenge accepted while the challenger's instance has lost its Redis: the challenger, connected all along, gets the game when it is back", async (t) => {
  const env = testEnv();
  const link = await cutProxy(env.REDIS_URL!);
  const hostSide = await startInProcess({ ...env, REDIS_URL: link.url });
  const other = await startInProcess(env);
  const host = await join(hostSide.url);
  const guest = await join(other.url);
  t.after(async () => {
    await closeAll([hostSide, other], [host, guest]);
    await link.close();
  });
  const challenge = challengeOf(await create(host, { timeControl: "5+0", color: "white" }));
  // The host's instance loses Redis for a second: the START_GAME is published meanwhile, with
  // nobody listening for the host.
  link.cut(1_000);
  const state = ackState(await answer(guest, "ACCEPT", challenge.id));
  assert.equal(state.status, "playing");
  const gameId = (state as { gameId: string }).gameId;
  // Listening again, the host's instance gives each of its sockets its state again: the game.
  const session = await host.client.nextWhere(
    "client/RESUME_SESSION",
    (r) => r.state.status === "playing",
    15_000,
  );
  assert.deepEqual(session.state, { status: "playing", gameId });
  const { game } = await host.client.next("client/RESUME_GAME");
  assert.deepEqual([game.id, game.white.id, game.v], [gameId, host.user.id, 0]);
  const move = await host.client.send("game/PLAYER_MOVE", { gameId, move: "e2e4", ply: 0 });
  assert.equal(move.ok, true, JSON.stringify(move));
  await guest.client.nextWhere("client/UPDATE_GAME", (u) => u.gameId === gameId && u.ply === 1);
});
