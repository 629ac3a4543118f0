import assert from "node:assert/strict";
import { test } from "node:test";
import type { Instance } from "../../src/instance.js";
import { expireProposal } from "../../src/jobs/matchups.js";
import { register } from "../helpers/accounts.js";
import { testEnv } from "../helpers/env.js";
import { startMany } from "../helpers/instances.js";
import {
  ackError,
  ackState,
  closeAll,
  eventually,
  join,
  queueUp,
  stored,
  type Player,
} from "../helpers/matchmaking.js";

const sinceOf = (state: unknown) => (state as { since: number }).since;

void test("expiry with nobody connected: the auto-accepter is requeued, the silent player is idle", async (t) => {
  const env = testEnv({ PROPOSAL_MS: "1500" });
  const instances = await startMany(env, 3);
  const players: Player[] = [];
  t.after(() => closeAll(instances, players));
  const ctx = instances[0]!.ctx;
  const eager = await join(instances[1]!.url);
  const silent = await join(instances[2]!.url);
  players.push(eager, silent);

  const since = sinceOf(ackState(await queueUp(eager, "5+3", { autoAccept: true })));
  await queueUp(silent, "5+3");
  const offer = await silent.client.next("client/PROPOSE_MATCHUP", 15_000);
  eager.client.close();
  silent.client.close();

  await eventually(
    "the proposal has expired",
    async () => (await ctx.redis.get(ctx.keys.proposal(offer.matchId))) === null,
  );
  assert.deepEqual(await stored(ctx, eager.user.id), {
    status: "queued",
    timeControl: "5+3",
    rated: false,
    since,
    autoAccept: true,
  });
  assert.deepEqual(await stored(ctx, silent.user.id), { status: "idle" });
  assert.equal(
    await ctx.redis.zScore(ctx.keys.deadlinesOf(offer.matchId), `proposal:${offer.matchId}`),
    null,
  );

  const eagerBack = await join(instances[0]!.url, eager.sessionId);
  const silentBack = await join(instances[0]!.url, silent.sessionId);
  players.push(eagerBack, silentBack);
  const resumedEager = eagerBack.client.received[0]!;
  assert.deepEqual(resumedEager.payload, {
    sessionId: eager.sessionId,
    user: eagerBack.user,
    state: { status: "queued", timeControl: "5+3", rated: false, since },
    challenges: [],
  });
  assert.deepEqual((silentBack.client.received[0]!.payload as { state: unknown }).state, {
    status: "idle",
  });
});

void test("a reply after expiresAt is refused with UNKNOWN_MATCH even before the expiry has run", async (t) => {
  // The deadline poller looks once at start and then not for ten minutes: the expiry is run by hand.
  const env = testEnv({ PROPOSAL_MS: "1000", DEADLINE_POLL_MS: "600000" });
  const instances = await startMany(env, 3);
  const early = await join(instances[0]!.url);
  const late = await join(instances[1]!.url);
  t.after(() => closeAll(instances, [early, late]));
  const ctx = instances[2]!.ctx;

  const since = sinceOf(ackState(await queueUp(early, "10+5")));
  await queueUp(late, "10+5");
  const offer = await early.client.next("client/PROPOSE_MATCHUP", 15_000);
  const waiting = await early.client.send("server/REPLY_MATCHUP", {
    matchId: offer.matchId,
    accept: true,
  });
  assert.equal(ackState(waiting).status, "proposed");

  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, offer.expiresAt - Date.now()) + 200),
  );
  const tooLate = await late.client.send("server/REPLY_MATCHUP", {
    matchId: offer.matchId,
    accept: true,
  });
  assert.equal(ackError(tooLate), "UNKNOWN_MATCH");
  const declineTooLate = await late.client.send("server/REPLY_MATCHUP", {
    matchId: offer.matchId,
    accept: false,
  });
  assert.equal(ackError(declineTooLate), "UNKNOWN_MATCH");
  assert.equal((await stored(ctx, late.user.id)).status, "proposed", "nothing changed yet");

  await expireProposal(ctx, offer.matchId);
  assert.deepEqual(await early.client.next("client/MATCHUP_CANCELLED"), {
    matchId: offer.matchId,
    reason: "expired",
    requeued: true,
  });
  assert.deepEqual(await late.client.next("client/MATCHUP_CANCELLED"), {
    matchId: offer.matchId,
    reason: "expired",
    requeued: false,
  });
  assert.equal(sinceOf(await stored(ctx, early.user.id)), since);
  assert.deepEqual(await stored(ctx, late.user.id), { status: "idle" });
  // Running it again (a retried deadline) changes nothing and tells nobody anything.
  await expireProposal(ctx, offer.matchId);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(late.client.received.filter((a) => a.type === "client/MATCHUP_CANCELLED").length, 1);
});

void test("RESUME_SESSION shows queued and proposed after every instance restarts", async (t) => {
  const env = testEnv({ PROPOSAL_MS: "60000" });
  const everything: { instances: Instance[]; players: Player[] } = { instances: [], players: [] };
  t.after(() => closeAll(everything.instances, everything.players));
  let instances = await startMany(env, 3);
  everything.instances.push(...instances);
  const alone = await join(instances[0]!.url);
  const white = await join(instances[1]!.url);
  const black = await join(instances[2]!.url);
  everything.players.push(alone, white, black);
  const since = sinceOf(ackState(await queueUp(alone, "30+0")));
  await queueUp(white, "15+10");
  await queueUp(black, "15+10");
  const offerToWhite = await white.client.next("client/PROPOSE_MATCHUP", 15_000);
  const offerToBlack = await black.client.next("client/PROPOSE_MATCHUP", 15_000);
  await closeAll(instances, [alone, white, black]);

  instances = await startMany(env, 3);
  everything.instances.push(...instances);
  const players = everything.players;
  const [aloneBack, whiteBack, blackBack] = await Promise.all([
    join(instances[2]!.url, alone.sessionId),
    join(instances[0]!.url, white.sessionId),
    join(instances[1]!.url, black.sessionId),
  ]);
  players.push(aloneBack, whiteBack, blackBack);
  const stateOf = (p: Player) => (p.client.received[0]!.payload as { state: unknown }).state;
  assert.deepEqual(stateOf(aloneBack), {
    status: "queued",
    timeControl: "30+0",
    rated: false,
    since,
  });
  assert.deepEqual(stateOf(whiteBack), { status: "proposed", proposal: offerToWhite });
  assert.deepEqual(stateOf(blackBack), { status: "proposed", proposal: offerToBlack });
  assert.equal(offerToWhite.opponent.username, black.user.username);

  // The resumed proposal still works on the new instances.
  await whiteBack.client.send("server/REPLY_MATCHUP", {
    matchId: offerToWhite.matchId,
    accept: true,
  });
  await blackBack.client.send("server/REPLY_MATCHUP", {
    matchId: offerToBlack.matchId,
    accept: true,
  });
  const { game } = await whiteBack.client.next("client/START_GAME");
  assert.equal((await blackBack.client.next("client/START_GAME")).game.id, game.id);
  assert.equal(game.timeControl.label, "15+10");
});

void test("registered players get a rated game with their ratings; the casual queue is apart", async (t) => {
  const env = testEnv();
  const instances = await startMany(env, 3);
  const accounts = await Promise.all([0, 1, 2].map((i) => register(instances[i]!.url)));
  const [first, second, casual] = await Promise.all(
    accounts.map((a, i) => join(instances[(i + 1) % 3]!.url, a.sessionId)),
  );
  t.after(() => closeAll(instances, [first!, second!, casual!]));
  assert.equal(first!.user.guest, false);

  await queueUp(casual!, "3+0", { autoAccept: true });
  await queueUp(first!, "3+0", { rated: true, autoAccept: true });
  await queueUp(second!, "3+0", { rated: true, autoAccept: true });
  const { game } = await first!.client.next("client/START_GAME", 15_000);
  assert.equal(game.rated, true);
  assert.equal(game.timeControl.speed, "blitz");
  assert.deepEqual([game.white.id, game.black.id].sort(), [first!.user.id, second!.user.id].sort());
  assert.equal(game.white.rating, 1500);
  assert.equal(game.status, "started");
  assert.equal(game.ply, 0);
  const ctx = instances[0]!.ctx;
  const glicko = await ctx.redis.hGet(ctx.keys.game(game.id), "whiteGlicko");
  assert.equal((JSON.parse(glicko!) as { deviation: number }).deviation, 350);
  assert.ok(
    (await ctx.redis.zScore(ctx.keys.deadlinesOf(game.id), `game:${game.id}`))! > game.createdAt,
  );
  assert.equal((await stored(ctx, casual!.user.id)).status, "queued");
});
