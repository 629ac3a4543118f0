import assert from "node:assert/strict";
import { test } from "node:test";
import { clockAfterMove } from "../../src/domain/clock.js";
import { loadGame, loadGameRecord } from "../../src/store/game-store.js";
import { archivedCount, setupGame, updateAt } from "../helpers/game-setup.js";
import { playersFreed } from "../helpers/games.js";

const SCHOLARS_MATE = ["e2e4", "e7e5", "f1c4", "b8c6", "d1h5", "g8f6", "h5f7"];

test("scholar's mate across two instances: every update reaches both, checkmate ends it 1-0", async (t) => {
  const g = await setupGame(t);
  for (const [ply, uci] of SCHOLARS_MATE.entries()) {
    const ack = await g.play(uci, ply);
    assert.deepEqual(ack, { ok: true, ply: ply + 1 }, uci);
    for (const c of [g.white, g.black]) {
      const update = await c.next("client/UPDATE_GAME");
      assert.equal(update.ply, ply + 1, "updates arrive in order, one per ply");
      assert.equal(update.move.uci, uci);
    }
  }
  for (const c of [g.white, g.black]) {
    const over = await c.next("client/GAME_OVER");
    assert.deepEqual(over, {
      gameId: g.gameId,
      v: 8,
      result: "1-0",
      reason: "checkmate",
      winner: "white",
      ratingDiff: null,
    });
  }
  const game = await loadGame(g.instances[0]!.ctx, g.gameId);
  assert.equal(game?.status, "ended");
  assert.deepEqual(game?.san, ["e4", "e5", "Bc4", "Nc6", "Qh5", "Nf6", "Qxf7#"]);
  const ctx = g.instances[1]!.ctx;
  await playersFreed(ctx, [g.whiteUser.id, g.blackUser.id]);
  assert.equal(await archivedCount(g.instances[1]!, g.gameId), 1, "archived once");
});

test("clocks: no clock before both first moves, then Fischer increment after each move", async (t) => {
  const g = await setupGame(t, { timeControl: "3+2" });
  await g.play("e2e4", 0);
  let u = await updateAt(g.black, 1);
  assert.equal(u.clock.running, false);
  assert.equal(u.clock.whiteMs, 180_000, "no increment on white's first move");
  await g.play("e7e5", 1);
  u = await updateAt(g.white, 2);
  assert.equal(u.clock.running, true);
  assert.equal(u.clock.blackMs, 180_000, "no increment on black's first move");
  await new Promise((r) => setTimeout(r, 300));
  await g.play("g1f3", 2);
  u = await updateAt(g.black, 3);
  assert.ok(
    u.clock.whiteMs <= 180_000 + 2_000 - 300,
    `white was charged the time it used (${u.clock.whiteMs})`,
  );
  assert.ok(u.clock.whiteMs > 180_000, "and got the 2 s increment");
  assert.equal(u.clock.blackMs, 180_000);
});

test("draw offers: a move by the offered side declines; offer, decline, accept", async (t) => {
  const g = await setupGame(t);
  await g.play("e2e4", 0);
  await g.play("e7e5", 1);
  assert.deepEqual(await g.white.send("game/OFFER_DRAW", { gameId: g.gameId }), { ok: true });
  assert.deepEqual(await g.black.next("client/OFFER_DRAW"), {
    gameId: g.gameId,
    v: 3,
    by: "white",
  });
  await g.play("g1f3", 2);
  assert.equal((await updateAt(g.black, 3)).drawOffer, "white", "the offerer's own move keeps it");
  await g.play("b8c6", 3);
  assert.equal((await updateAt(g.white, 4)).drawOffer, null, "the opponent's move declines it");
  assert.deepEqual(await g.black.send("game/DECLINE_DRAW", { gameId: g.gameId }), {
    ok: false,
    error: { code: "NO_DRAW_OFFER", message: "There is no draw offer to decline." },
  });
  await g.black.send("game/OFFER_DRAW", { gameId: g.gameId });
  assert.deepEqual(await g.white.send("game/DECLINE_DRAW", { gameId: g.gameId }), { ok: true });
  assert.deepEqual(await g.black.next("client/DRAW_DECLINED"), {
    gameId: g.gameId,
    v: 7,
    by: "white",
  });
  await g.black.send("game/OFFER_DRAW", { gameId: g.gameId });
  assert.deepEqual(await g.white.send("game/OFFER_DRAW", { gameId: g.gameId }), { ok: true });
  const over = await g.black.next("client/GAME_OVER");
  assert.equal(over.result, "1/2-1/2");
  assert.equal(over.reason, "agreement");
});

test("resigning before both sides moved aborts; after, the opponent wins", async (t) => {
  const early = await setupGame(t);
  await early.play("e2e4", 0);
  await early.black.send("game/CONCEDE", { gameId: early.gameId });
  assert.deepEqual(await early.white.next("client/GAME_OVER"), {
    gameId: early.gameId,
    v: 2,
    result: null,
    reason: "aborted",
    winner: null,
    ratingDiff: null,
  });
  const late = await setupGame(t, { rated: true });
  await late.play("e2e4", 0);
  await late.play("e7e5", 1);
  await late.white.send("game/CONCEDE", { gameId: late.gameId });
  const over = await late.black.next("client/GAME_OVER");
  assert.equal(over.result, "0-1");
  assert.equal(over.reason, "resign");
  assert.equal(over.winner, "black");
  assert.ok(
    over.ratingDiff !== null && over.ratingDiff.black > 0 && over.ratingDiff.white < 0,
    "rated: ratings move",
  );
});

test("an unplayed game is aborted after FIRST_MOVE_MS, with nobody connected", async (t) => {
  const g = await setupGame(t, { env: { FIRST_MOVE_MS: "1000" } });
  g.white.close();
  g.black.close();
  const ctx = g.instances[0]!.ctx;
  let game = await loadGame(ctx, g.gameId);
  for (let i = 0; i < 60 && game?.status !== "ended"; i++) {
    await new Promise((r) => setTimeout(r, 100));
    game = await loadGame(ctx, g.gameId);
  }
  assert.equal(game?.status, "ended");
  assert.equal(game?.reason, "aborted");
  assert.equal(game?.result, null);
  assert.ok(game.endedAt! - game.createdAt >= 1000);
  await playersFreed(ctx, [g.whiteUser.id, g.blackUser.id]);
});

test("black's first move is due FIRST_MOVE_MS after white's", async (t) => {
  const g = await setupGame(t, { env: { FIRST_MOVE_MS: "1000" } });
  await g.play("e2e4", 0);
  const over = await g.white.next("client/GAME_OVER", 5_000);
  assert.equal(over.reason, "aborted");
});

test("the commit script's clock follows the pure clock of src/domain/clock.ts", async (t) => {
  const g = await setupGame(t, { timeControl: "1+1", env: { FIRST_MOVE_MS: "20000" } });
  const ctx = g.instances[0]!.ctx;
  const moves = ["e2e4", "c7c5", "g1f3", "d7d6", "d2d4", "c5d4", "f3d4"];
  for (const [ply, uci] of moves.entries()) {
    const before = (await loadGameRecord(ctx, g.gameId))!;
    await new Promise((r) => setTimeout(r, 30 + ply * 15));
    await g.play(uci, ply);
    const after = (await loadGameRecord(ctx, g.gameId))!;
    const step = clockAfterMove(
      before.game.clock,
      ply,
      before.deadline,
      after.game.clock.serverTime,
      {
        incrementMs: 1_000,
        firstMoveMs: 20_000,
      },
    );
    assert.ok(step.ok, `ply ${ply} in time`);
    assert.deepEqual(after.game.clock, step.clock, `clock after ply ${ply}`);
    assert.equal(after.deadline, step.deadline, `deadline after ply ${ply}`);
    assert.equal(after.clocks[ply], step.moverMs, `recorded clock of ply ${ply}`);
  }
});

test("threefold repetition ends the game on the third occurrence, counted over the whole game", async (t) => {
  const g = await setupGame(t);
  const shuffle = ["g1f3", "g8f6", "f3g1", "f6g8"];
  const moves = [...shuffle, ...shuffle];
  for (const [ply, uci] of moves.entries()) {
    // Halfway, both instances forget their copies: the history must come back from Redis whole.
    if (ply === 4) for (const i of g.instances) i.rt.cache.delete(g.gameId);
    assert.deepEqual(
      await g.play(uci, ply),
      { ok: true, ply: ply + 1 },
      `ply ${ply}: still playing`,
    );
  }
  const over = await g.white.next("client/GAME_OVER");
  assert.equal(over.reason, "threefold");
  assert.equal(over.result, "1/2-1/2");
  const overs = g.white.received.filter((a) => a.type === "client/GAME_OVER");
  assert.equal(overs.length, 1);
  const plies = g.black.received.filter((a) => a.type === "client/UPDATE_GAME").length;
  assert.equal(plies, 8, "the final move is published before GAME_OVER");
});
