import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "../helpers/client.js";
import { archivedCount, setupGame, updateAt } from "../helpers/game-setup.js";
import { loadGame, loadGameRecord } from "../../src/store/game-store.js";
import { commitMove, loadLiveGame } from "../../src/store/game-commands.js";
import { planMove } from "../../src/domain/game.js";
import { startGame } from "../helpers/live-games.js";

const MOVES = [
  "e2e4",
  "e7e5",
  "g1f3",
  "b8c6",
  "f1b5",
  "a7a6",
  "b5a4",
  "g8f6",
  "e1g1",
  "f8e7",
  "f1e1",
  "b7b5",
];

test("the same move sent at once by two sockets of one player on two instances is applied once", async (t) => {
  const g = await setupGame(t);
  // A second socket of each player, on the other instance, with the same session.
  const session = (c: typeof g.white) =>
    (c.received[0]!.payload as { sessionId: string }).sessionId;
  const white2 = connect(g.instances[1]!.url, session(g.white));
  const black2 = connect(g.instances[0]!.url, session(g.black));
  t.after(() => {
    white2.close();
    black2.close();
  });
  for (const c of [white2, black2]) await c.next("client/RESUME_GAME");

  for (const [ply, uci] of MOVES.entries()) {
    const [a, b] = ply % 2 === 0 ? [g.white, white2] : [g.black, black2];
    const acks = await Promise.all([
      a.send("game/PLAYER_MOVE", { gameId: g.gameId, move: uci, ply }),
      b.send("game/PLAYER_MOVE", { gameId: g.gameId, move: uci, ply }),
    ]);
    const oks = acks.filter((x) => x.ok);
    assert.equal(oks.length, 1, `ply ${ply}: exactly one copy applied (${JSON.stringify(acks)})`);
    const refused = acks.find((x) => !x.ok);
    assert.equal(refused && !refused.ok && refused.error.code, "STALE_PLY");
  }
  const opponentOfLast = g.white;
  await updateAt(opponentOfLast, MOVES.length);
  await new Promise((r) => setTimeout(r, 200));
  for (const c of [g.white, g.black]) {
    const plies = c.received
      .filter((a) => a.type === "client/UPDATE_GAME")
      .map((a) => (a.payload as { ply: number }).ply);
    assert.deepEqual(
      plies,
      MOVES.map((_, i) => i + 1),
      "one update per ply, in order",
    );
  }
  const game = await loadGame(g.instances[0]!.ctx, g.gameId);
  assert.deepEqual(game?.moves, MOVES);
  assert.equal(game?.san[8], "O-O");
});

test("a move racing its own flag fall ends in one consistent outcome", async (t) => {
  for (let round = 0; round < 6; round++) {
    const g = await setupGame(t, {
      timeControl: { label: "0+0", initialMs: 400, incrementMs: 0, speed: "bullet" },
    });
    await g.play("e2e4", 0);
    await g.play("e7e5", 1);
    // White's clock now runs with 400 ms; send the move right around the flag.
    await new Promise((r) => setTimeout(r, 340 + round * 20));
    const ack = await g.play("g1f3", 2);
    const ctx = g.instances[0]!.ctx;
    let record = await loadGameRecord(ctx, g.gameId);
    for (let i = 0; i < 40 && record?.game.status !== "ended"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      record = await loadGameRecord(ctx, g.gameId);
    }
    const game = record!.game;
    if ((ack as { ok: boolean }).ok) {
      // The move made it in time: it is in the game, and later black's flag (or white's) fell.
      assert.equal(game.moves[2], "g1f3");
      assert.equal(game.reason, "timeout");
      assert.equal(game.winner, "white", "black flagged after white's move in time");
    } else {
      // Refused whether the scheduler flagged first or the move's own commit found the flag down.
      assert.equal((ack as { ok: false; error: { code: string } }).error.code, "GAME_OVER");
      assert.equal(game.moves.length, 2, "the late move was not applied");
      assert.equal(game.reason, "timeout");
      assert.equal(game.winner, "black");
      assert.equal(game.clock.whiteMs, 0);
    }
    await g.black.next("client/GAME_OVER");
    await new Promise((r) => setTimeout(r, 200));
    const overs = g.black.received.filter((a) => a.type === "client/GAME_OVER");
    assert.equal(overs.length, 1, "one GAME_OVER: the game ended once");
    assert.equal(await archivedCount(g.instances[0]!, g.gameId), 1, "archived once");
  }
});

test("two instances racing to flag the same game end it once", async (t) => {
  const g = await setupGame(t, {
    timeControl: { label: "0+0", initialMs: 300, incrementMs: 0, speed: "bullet" },
  });
  await g.play("e2e4", 0);
  await g.play("e7e5", 1);
  const over = await g.black.next("client/GAME_OVER", 5_000);
  assert.equal(over.reason, "timeout");
  await new Promise((r) => setTimeout(r, 300));
  const count = g.black.received.filter((a) => a.type === "client/GAME_OVER").length;
  assert.equal(count, 1, "both instances poll deadlines; only one ends the game");
  const ctx = g.instances[1]!.ctx;
  assert.equal(
    await ctx.redis.zScore(ctx.keys.deadlinesOf(g.gameId), `game:${g.gameId}`),
    null,
    "deadline removed",
  );
});

test("a flag against a bare king is a draw", async (t) => {
  const g = await setupGame(t);
  const ctx = g.instances[0]!.ctx;
  // White to move with K+Q; black has a bare king. Black flags → draw? No: black's opponent (white)
  // can mate, so black loses. White flagging against a bare king is the draw case.
  const id = await startGame(ctx, g.whiteUser, g.blackUser, {
    timeControl: { label: "0+0", initialMs: 300, incrementMs: 0, speed: "bullet" },
  });
  await ctx.redis.hSet(ctx.keys.game(id), {
    fen: "8/8/8/4k3/8/8/8/4K2Q w - - 0 40",
    reps: "8/8/8/4k3/8/8/8/4K2Q w - -",
    ply: "78",
    running: "1",
  });
  await ctx.redis.hSet(ctx.keys.game(id), "deadline", String(Date.now() - 1));
  await ctx.redis.zAdd(ctx.keys.deadlinesOf(id), { score: 0, value: `game:${id}` });
  let game = await loadGame(ctx, id);
  for (let i = 0; i < 40 && game?.status !== "ended"; i++) {
    await new Promise((r) => setTimeout(r, 50));
    game = await loadGame(ctx, id);
  }
  // White (to move) flagged; black has only a king, so it cannot mate: a draw.
  assert.equal(game?.reason, "timeout");
  assert.equal(game?.result, "1/2-1/2");
  assert.equal(game?.winner, null);
});

test("a committed move reaches both players though its instance publishes nothing after the commit", async (t) => {
  const g = await setupGame(t);
  // What an instance killed right after its commit leaves behind: the commit alone, here run
  // straight from the test. The move script publishes UPDATE_GAME in the same atomic step.
  const ctx = g.instances[0]!.ctx;
  const live = await loadLiveGame(ctx, g.gameId);
  const plan = planMove(live!, g.whiteUser.id, "e2e4", 0);
  assert.ok(plan.ok);
  const reply = await commitMove(ctx, live!, plan);
  assert.equal(reply.code, "OK");
  for (const c of [g.white, g.black]) {
    const update = await updateAt(c, 1);
    assert.deepEqual(
      [update.move, update.fen, update.drawOffer],
      [
        { uci: "e2e4", san: "e4" },
        "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1",
        null,
      ],
    );
    assert.equal(update.clock.running, false);
  }
  // Black's instance followed the game on its channel and plays on without a reload.
  assert.deepEqual(await g.play("e7e5", 1), { ok: true, ply: 2 });
  assert.equal((await updateAt(g.white, 2)).move.san, "e5");
});

test("a mating move's GAME_OVER is published with the commit, after its UPDATE_GAME", async (t) => {
  const g = await setupGame(t);
  for (const [ply, uci] of ["f2f3", "e7e5", "g2g4"].entries()) {
    assert.deepEqual(await g.play(uci, ply), { ok: true, ply: ply + 1 });
  }
  await updateAt(g.black, 3);
  // Committed straight from the test, as an instance killed right after its commit would leave it.
  const ctx = g.instances[1]!.ctx;
  const live = (await loadLiveGame(ctx, g.gameId))!;
  const plan = planMove(live, g.blackUser.id, "d8h4", 3);
  assert.ok(plan.ok && plan.outcome?.reason === "checkmate");
  const end = { result: "0-1", reason: "checkmate", winner: "black" } as const;
  const reply = await commitMove(ctx, live, plan);
  assert.equal(reply.code, "OK");
  for (const c of [g.white, g.black]) {
    const over = await c.next("client/GAME_OVER");
    assert.deepEqual(over, { gameId: g.gameId, v: 5, ...end, ratingDiff: null });
    const types = c.received.map((a) => a.type);
    const last = types.lastIndexOf("client/UPDATE_GAME");
    assert.equal((c.received[last]!.payload as { ply: number }).ply, 4);
    assert.ok(last < types.indexOf("client/GAME_OVER"), "the final position comes first");
  }
});
