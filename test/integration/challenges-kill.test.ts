import assert from "node:assert/strict";
import { test } from "node:test";
import { answer, challengeOf, create } from "../helpers/challenges.js";
import { testEnv } from "../helpers/env.js";
import { spawnInstance, startMany } from "../helpers/instances.js";
import { ackState, closeAll, join, stored, type Player } from "../helpers/matchmaking.js";

void test("the instance that committed an acceptance is SIGKILLed at once: both players still start the game", async (t) => {
  const env = testEnv();
  const instances = await startMany(env, 2);
  const child = await spawnInstance(env);
  const alice = await join(instances[0]!.url);
  const bob = await join(instances[1]!.url);
  const bobOnChild = await join(child.url, bob.sessionId);
  const players = [alice, bob, bobOnChild];
  t.after(async () => {
    await child.kill();
    await closeAll(instances, players);
  });
  const ctx = instances[0]!.ctx;

  const challenge = challengeOf(await create(alice, { timeControl: "3+2" }));
  const state = ackState(await answer(bobOnChild, "ACCEPT", challenge.id));
  // Nothing of the instance's runs after its ack: the script has announced the game already.
  await child.kill();
  assert.equal(state.status, "playing");
  const gameId = (state as { gameId: string }).gameId;
  const [forAlice, forBob] = await Promise.all([
    alice.client.next("client/START_GAME"),
    bob.client.next("client/START_GAME"),
  ]);
  assert.equal(forAlice.game.id, gameId);
  assert.equal(forBob.game.id, gameId);
  for (const p of [alice, bob]) {
    assert.deepEqual(await stored(ctx, p.user.id), { status: "playing", gameId });
  }
  // White may move at once; black's socket gets it.
  const white = forAlice.game.white.id === alice.user.id ? alice : bob;
  const black = white === alice ? bob : alice;
  assert.equal(
    (await white.client.send("game/PLAYER_MOVE", { gameId, move: "e2e4", ply: 0 })).ok,
    true,
  );
  const update = await black.client.next("client/UPDATE_GAME");
  assert.equal(update.ply, 1);
});

void test("an acceptor's instance killed at any moment: both players start the game, or the challenge is still open", async (t) => {
  const env = testEnv();
  const instances = await startMany(env, 2);
  const players: Player[] = [];
  t.after(() => closeAll(instances, players));
  const ctx = instances[0]!.ctx;
  for (const delayMs of [0, 2, 5, 10, 30]) {
    const child = await spawnInstance(env);
    t.after(() => child.kill());
    const alice = await join(instances[0]!.url);
    const bob = await join(instances[1]!.url);
    const bobOnChild = await join(child.url, bob.sessionId);
    players.push(alice, bob, bobOnChild);
    const challenge = challengeOf(await create(alice, { timeControl: "3+2" }));
    bobOnChild.client.fire("server/ACCEPT_CHALLENGE", { challengeId: challenge.id });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await child.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const state = await stored(ctx, bob.user.id);
    t.diagnostic(`killed after ${delayMs} ms: ${state.status}`);
    if (state.status === "playing") {
      const [a, b] = await Promise.all([
        alice.client.next("client/START_GAME"),
        bob.client.next("client/START_GAME"),
      ]);
      assert.equal(a.game.id, state.gameId);
      assert.equal(b.game.id, state.gameId);
      assert.deepEqual(await stored(ctx, alice.user.id), state);
    } else {
      assert.equal(state.status, "idle");
      assert.deepEqual(await stored(ctx, alice.user.id), { status: "idle" });
      assert.equal(await ctx.redis.exists(ctx.keys.challenge(challenge.id)), 1);
      // Still open: taken through a surviving instance.
      assert.equal(ackState(await answer(bob, "ACCEPT", challenge.id)).status, "playing");
      await Promise.all([
        alice.client.next("client/START_GAME"),
        bob.client.next("client/START_GAME"),
      ]);
    }
  }
});
