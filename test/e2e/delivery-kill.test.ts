// The instance that commits a step dies right after it: the players, connected to other instances,
// still get its event, because the step's own script published it (DESIGN invariant 5).
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { flagIsDraw } from "../../src/domain/game.js";
import type { Instance } from "../../src/instance.js";
import { prepareGame } from "../../src/jobs/matchups.js";
import { endIfDue, loadLiveGame } from "../../src/store/game-commands.js";
import { newId } from "../../src/store/ids.js";
import { acceptMatchup, cancelMatchup, createProposal } from "../../src/store/matchmaking.js";
import { connect, type TestClient } from "../helpers/client.js";
import { testEnv } from "../helpers/env.js";
import { clusterFor, spawnInstance } from "../helpers/instances.js";
import { startGame } from "../helpers/live-games.js";
import { join, queueUp, type Player } from "../helpers/matchmaking.js";

interface Table {
  env: Record<string, string>;
  a: Instance;
  b: Instance;
  white: Player;
  black: Player;
}

async function table(
  t: TestContext,
  env = testEnv({ PAIRING_INTERVAL_MS: "3600000", PAIRING_SOON_MS: "0" }),
) {
  const [a, b] = await clusterFor(t, env, 2);
  const white = await join(a!.url);
  const black = await join(b!.url);
  t.after(() => [white, black].forEach((p) => p.client.close()));
  return { env, a: a!, b: b!, white, black } satisfies Table;
}

/** A live game between the table's players, both holding it (RESUME_GAME). */
async function liveGame(tb: Table, timeControl = "3+2"): Promise<string> {
  const gameId = await startGame(tb.a.ctx, tb.white.user, tb.black.user, { timeControl });
  for (const p of [tb.white, tb.black]) {
    assert.equal((await p.client.send("game/PLAYER_READY", { gameId })).ok, true);
    await p.client.next("client/RESUME_GAME");
  }
  return gameId;
}

/**
 * Sends one action from a socket of `player`'s session on a third instance, a child process, and
 * SIGKILLs that instance the moment the action is acknowledged: nothing it would do after its
 * commit happens.
 */
async function actAndDie(tb: Table, player: Player, type: string, payload: unknown) {
  const doomed = await spawnInstance(tb.env);
  let client: TestClient | null = null;
  try {
    client = connect(doomed.url, player.sessionId);
    await client.next("client/RESUME_SESSION");
    const ack = await client.send(type, payload);
    await doomed.kill();
    assert.equal(ack.ok, true, JSON.stringify(ack));
  } finally {
    client?.close();
    await doomed.kill();
  }
}

test("a move, a draw offer and a resignation reach both players though the committing instance dies at once", async (t) => {
  const tb = await table(t);
  const gameId = await liveGame(tb);
  await actAndDie(tb, tb.white, "game/PLAYER_MOVE", { gameId, move: "e2e4", ply: 0 });
  for (const p of [tb.white, tb.black]) {
    const u = await p.client.nextWhere("client/UPDATE_GAME", (x) => x.gameId === gameId);
    assert.deepEqual([u.v, u.ply, u.move.san], [1, 1, "e4"]);
  }
  await actAndDie(tb, tb.black, "game/OFFER_DRAW", { gameId });
  for (const p of [tb.white, tb.black])
    assert.deepEqual(await p.client.next("client/OFFER_DRAW"), { gameId, v: 2, by: "black" });
  assert.equal(
    (await tb.black.client.send("game/PLAYER_MOVE", { gameId, move: "e7e5", ply: 1 })).ok,
    true,
  );
  await actAndDie(tb, tb.white, "game/CONCEDE", { gameId });
  for (const p of [tb.white, tb.black]) {
    const over = await p.client.next("client/GAME_OVER");
    assert.deepEqual(over, {
      gameId,
      v: 4,
      result: "0-1",
      reason: "resign",
      winner: "black",
      ratingDiff: null,
    });
  }
});

test("a flag, committed by a deadline job that does nothing after its commit, reaches both players", async (t) => {
  const tb = await table(t);
  const gameId = await liveGame(tb, "1+0");
  for (const [ply, move] of ["e2e4", "e7e5", "g1f3"].entries()) {
    const mover = ply % 2 === 0 ? tb.white : tb.black;
    assert.equal((await mover.client.send("game/PLAYER_MOVE", { gameId, move, ply })).ok, true);
  }
  // Black's flag falls; the test ends the game itself as a deadline job would, and stops there.
  const ctx = tb.a.ctx;
  await tb.a.ctx.redis.hSet(ctx.keys.game(gameId), "deadline", "1");
  const view = (await loadLiveGame(ctx, gameId))!;
  const reply = await endIfDue(ctx, view, flagIsDraw(view));
  assert.equal(reply.code, "ENDED");
  for (const p of [tb.white, tb.black]) {
    const over = await p.client.next("client/GAME_OVER");
    assert.deepEqual([over.v, over.reason, over.winner], [4, "timeout", "white"]);
  }
});

test("a pairing, an acceptance and an expiry reach both players from the step alone", async (t) => {
  // No instance expires the proposal: the test does, and nothing follows its step.
  const tb = await table(
    t,
    testEnv({ PAIRING_INTERVAL_MS: "3600000", PAIRING_SOON_MS: "0", DEADLINE_POLL_MS: "3600000" }),
  );
  const ctx = tb.a.ctx;
  const [x, y] = [tb.white, tb.black];
  const pair = () =>
    createProposal(ctx, {
      a: x.user.id,
      b: y.user.id,
      matchId: newId(),
      pool: "3+0",
      rated: false,
      proposalMs: 300,
    });
  for (const p of [x, y]) assert.equal((await queueUp(p, "3+0")).ok, true);
  // Pairing: each player hears of the other.
  const first = (await pair())!;
  for (const [p, other] of [
    [x, y],
    [y, x],
  ] as const) {
    const proposed = await p.client.next("client/PROPOSE_MATCHUP");
    assert.deepEqual(
      [proposed.matchId, proposed.opponent.username],
      [first.matchId, other.user.username],
    );
  }
  // Expiry (after expiresAt): both hear of it, though the expiring instance does nothing more.
  await new Promise((resolve) => setTimeout(resolve, 400));
  const expired = await cancelMatchup(ctx, first, "expired", "");
  assert.equal(expired.code, "CANCELLED");
  for (const p of [x, y]) {
    const cancelled = await p.client.next("client/MATCHUP_CANCELLED");
    assert.deepEqual(cancelled, { matchId: first.matchId, reason: "expired", requeued: false });
  }
  // Acceptance: both accepted, the game starts, both get START_GAME from the step.
  for (const p of [x, y]) assert.equal((await queueUp(p, "3+0")).ok, true);
  const second = (await pair())!;
  await acceptMatchup(ctx, second, x.user.id, null);
  const reply = await acceptMatchup(ctx, second, y.user.id, await prepareGame(ctx, second));
  assert.equal(reply.code, "STARTED");
  for (const p of [x, y]) {
    const { game } = await p.client.next("client/START_GAME");
    assert.deepEqual(
      [game.id, game.v, game.ply, game.status],
      [reply.code === "STARTED" ? reply.gameId : "", 0, 0, "started"],
    );
    assert.ok(game.createdAt > Date.now() - 60_000 && game.clock.serverTime === game.createdAt);
  }
});

test("a socket that was away gets, at its next connection, everything since its v", async (t) => {
  const tb = await table(t);
  const gameId = await liveGame(tb);
  tb.black.client.close();
  const move = (c: TestClient, uci: string, ply: number) =>
    c
      .send("game/PLAYER_MOVE", { gameId, move: uci, ply })
      .then((ack) => assert.equal(ack.ok, true));
  await move(tb.white.client, "d2d4", 0);
  // Black answers from a socket that closes at once, then is away while white plays on.
  const brief = connect(tb.b.url, tb.black.sessionId);
  await brief.next("client/RESUME_GAME");
  await move(brief, "d7d5", 1);
  brief.close();
  await move(tb.white.client, "c2c4", 2);
  const back = connect(tb.a.url, tb.black.sessionId);
  t.after(() => back.close());
  const { game } = await back.next("client/RESUME_GAME");
  assert.deepEqual([game.v, game.ply, game.moves], [3, 3, ["d2d4", "d7d5", "c2c4"]]);
  assert.equal((await tb.white.client.send("game/OFFER_DRAW", { gameId })).ok, true);
  assert.deepEqual(await back.next("client/OFFER_DRAW"), { gameId, v: 4, by: "white" });
});
