import assert from "node:assert/strict";
import { test } from "node:test";
import { planMove } from "../../src/domain/game.js";
import { commitMove, loadLiveGame } from "../../src/store/game-commands.js";
import { loadGameRecord } from "../../src/store/game-store.js";
import type { Ack } from "../../src/protocol/types.js";
import { connect } from "../helpers/client.js";
import { archivedCount, setupGame, updateAt } from "../helpers/game-setup.js";

const code = (ack: unknown) =>
  (ack as Ack).ok ? "ok" : (ack as Extract<Ack, { ok: false }>).error.code;

test("extra time: +15 s to the opponent for both to see, the deadline moved, throttled, capped at two hours", async (t) => {
  const g = await setupGame(t, { timeControl: "3+0" });
  const ctx = g.instances[0]!.ctx;
  const key = ctx.keys.game(g.gameId);
  await g.play("e2e4", 0);
  await g.play("e7e5", 1);
  await g.play("g1f3", 2); // black to move, its clock running
  await updateAt(g.black, 3);
  const deadlineBefore = await ctx.redis.zScore(ctx.keys.deadlinesOf(g.gameId), `game:${g.gameId}`);
  const before = (await loadGameRecord(ctx, g.gameId))!;

  assert.equal(code(await g.white.send("game/GIVE_TIME", { gameId: g.gameId })), "ok");
  for (const c of [g.white, g.black]) {
    const u = await c.next("client/UPDATE_CLOCK");
    assert.equal(u.v, before.game.v + 1);
    assert.equal(u.clock.blackMs, before.game.clock.blackMs + 15_000);
    assert.equal(u.clock.whiteMs, before.game.clock.whiteMs);
    assert.equal(u.clock.running, true);
  }
  const deadlineAfter = await ctx.redis.zScore(ctx.keys.deadlinesOf(g.gameId), `game:${g.gameId}`);
  assert.equal(deadlineAfter, deadlineBefore! + 15_000, "black flags 15 s later");

  // A second press at once is throttled and changes nothing.
  const snapshot = await ctx.redis.hGetAll(key);
  const again = await g.white.send("game/GIVE_TIME", { gameId: g.gameId });
  assert.equal(code(again), "RATE_LIMITED");
  assert.deepEqual(await ctx.redis.hGetAll(key), snapshot);
  await new Promise((r) => setTimeout(r, 350));
  assert.equal(code(await g.white.send("game/GIVE_TIME", { gameId: g.gameId })), "ok");
  // Black gives white time though white is not to move: white's clock only, no deadline change.
  assert.equal(code(await g.black.send("game/GIVE_TIME", { gameId: g.gameId })), "ok");
  assert.equal(
    await ctx.redis.zScore(ctx.keys.deadlinesOf(g.gameId), `game:${g.gameId}`),
    deadlineAfter + 15_000,
  );
  const record = (await loadGameRecord(ctx, g.gameId))!;
  assert.equal(record.game.clock.whiteMs, before.game.clock.whiteMs + 15_000);

  // A receiver with two hours or more gets no more.
  await ctx.redis.hSet(key, "whiteMs", String(2 * 3600 * 1000));
  await new Promise((r) => setTimeout(r, 350));
  const capped = await g.black.send("game/GIVE_TIME", { gameId: g.gameId });
  assert.equal(code(capped), "RATE_LIMITED");
  assert.equal(await ctx.redis.hGet(key, "whiteMs"), String(2 * 3600 * 1000));
});

test("takeback accepted: moves, FEN, clocks and repetitions go back; the archived game has no trace of it", async (t) => {
  const g = await setupGame(t, { timeControl: "3+2" });
  const ctx = g.instances[0]!.ctx;
  const id = g.gameId;
  // Knights out and back: the start position is seen twice (ply 0 and 4).
  const moves = ["g1f3", "g8f6", "f3g1", "f6g8", "g1f3"];
  for (const [ply, uci] of moves.entries()) assert.equal(code(await g.play(uci, ply)), "ok");
  await updateAt(g.black, 5);
  const atFour = (await loadGameRecord(ctx, id))!;
  await new Promise((r) => setTimeout(r, 200));
  await g.play("g8f6", 5);
  await updateAt(g.white, 6);

  // White is to move: its proposal takes back black's g8f6 and its own g1f3 (two plies).
  assert.equal(code(await g.white.send("game/PROPOSE_TAKEBACK", { gameId: id })), "ok");
  for (const c of [g.white, g.black])
    assert.equal((await c.next("client/TAKEBACK_OFFERED")).by, "white");
  assert.equal(code(await g.black.send("game/PROPOSE_TAKEBACK", { gameId: id })), "ok");
  for (const c of [g.white, g.black]) {
    const tb = await c.next("client/TAKEBACK");
    assert.equal(tb.ply, 4);
    assert.equal(tb.fen, "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 4 3");
    // Each side's time right after its last kept move (ply 3 for black, ply 2 for white).
    assert.equal(tb.clock.whiteMs, atFour.clocks[2]);
    assert.equal(tb.clock.blackMs, atFour.clocks[3]);
    assert.equal(tb.clock.running, true);
  }
  const after = (await loadGameRecord(ctx, id))!;
  assert.deepEqual(after.game.moves, moves.slice(0, 4));
  assert.deepEqual(after.game.san, ["Nf3", "Nf6", "Ng1", "Ng8"]);
  assert.deepEqual(after.clocks, atFour.clocks.slice(0, 4));
  assert.equal(after.game.drawOffer, null);
  assert.equal(after.takebackOffer, null);
  assert.deepEqual(after.reps, atFour.reps.slice(0, 5), "the repetition history of ply 4");

  // The repetition count came back too: two more knight trips make the third occurrence.
  const trip = ["g1f3", "g8f6", "f3g1", "f6g8"];
  for (const [i, uci] of trip.entries()) assert.equal(code(await g.play(uci, 4 + i)), "ok");
  const over = await g.white.next("client/GAME_OVER");
  assert.equal(over.reason, "threefold", "the start position a third time, at ply 8");

  assert.equal(await archivedCount(g.instances[1]!, id), 1);
  const doc = await ctx.mongo.db
    .collection<{ _id: string; moves: string[]; san: string[]; clocks: number[] }>("games")
    .findOne({ _id: id });
  assert.deepEqual(doc?.moves, [...moves.slice(0, 4), ...trip]);
  assert.equal(doc?.clocks.length, 8, "one clock per kept move");
});

test("takeback of one ply, declined with a growing wait, lapsed by a move, and refused without a move", async (t) => {
  const g = await setupGame(t);
  const ctx = g.instances[0]!.ctx;
  const id = g.gameId;
  const key = ctx.keys.game(id);
  assert.equal(
    code(await g.white.send("game/PROPOSE_TAKEBACK", { gameId: id })),
    "NO_MOVE_TO_TAKE_BACK",
  );
  await g.play("e2e4", 0);
  assert.equal(
    code(await g.black.send("game/PROPOSE_TAKEBACK", { gameId: id })),
    "NO_MOVE_TO_TAKE_BACK",
  );
  assert.equal(
    code(await g.black.send("game/DECLINE_TAKEBACK", { gameId: id })),
    "NO_TAKEBACK_OFFER",
  );

  // Declined: both told, and the proposer waits 10 s before the next.
  assert.equal(code(await g.white.send("game/PROPOSE_TAKEBACK", { gameId: id })), "ok");
  assert.equal(code(await g.black.send("game/DECLINE_TAKEBACK", { gameId: id })), "ok");
  for (const c of [g.white, g.black])
    assert.equal((await c.next("client/TAKEBACK_DECLINED")).by, "black");
  const waitUntil = Number(await ctx.redis.hGet(key, "whiteTakebackAt"));
  const [seconds, micros] = await ctx.redis.time();
  const serverNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  assert.ok(
    waitUntil - serverNow > 9_000 && waitUntil - serverNow <= 10_000,
    "10 s after one decline",
  );
  const snapshot = await ctx.redis.hGetAll(key);
  assert.equal(code(await g.white.send("game/PROPOSE_TAKEBACK", { gameId: id })), "RATE_LIMITED");
  assert.deepEqual(await ctx.redis.hGetAll(key), snapshot, "a refused proposal changes nothing");

  // Lapsed: black's proposal of its move, then white moves; nothing is left to accept.
  await g.play("e7e5", 1);
  assert.equal(code(await g.black.send("game/PROPOSE_TAKEBACK", { gameId: id })), "ok");
  await g.play("g1f3", 2);
  assert.equal(await ctx.redis.hGet(key, "takebackOffer"), "");
  assert.equal(
    code(await g.white.send("game/DECLINE_TAKEBACK", { gameId: id })),
    "NO_TAKEBACK_OFFER",
  );

  // One ply: black proposes after its own move, white accepts; black is to move again.
  await g.play("b8c6", 3);
  assert.equal(code(await g.black.send("game/PROPOSE_TAKEBACK", { gameId: id })), "ok");
  // A second proposal while one is pending is no new event.
  assert.equal(code(await g.black.send("game/PROPOSE_TAKEBACK", { gameId: id })), "ok");
  assert.equal(code(await g.white.send("game/PROPOSE_TAKEBACK", { gameId: id })), "ok");
  const tb = await g.black.next("client/TAKEBACK");
  assert.equal(tb.ply, 3);
  const offers = g.white.received.filter((a) => a.type === "client/TAKEBACK_OFFERED");
  // White's declined one, black's lapsed one, and black's last, pressed twice but offered once.
  assert.equal(offers.length, 3);
  assert.deepEqual(await g.black.send("game/PLAYER_MOVE", { gameId: id, move: "g8f6", ply: 3 }), {
    ok: true,
    ply: 4,
  });
});

test("an acceptance racing a move through two instances: one outcome, seen alike", async (t) => {
  const outcomes = new Set<string>();
  for (let round = 0; round < 6; round++) {
    const g = await setupGame(t);
    const id = g.gameId;
    await g.play("e2e4", 0);
    await g.play("e7e5", 1);
    await g.play("g1f3", 2);
    await updateAt(g.black, 3);
    assert.equal(code(await g.white.send("game/PROPOSE_TAKEBACK", { gameId: id })), "ok");
    await g.black.next("client/TAKEBACK_OFFERED");
    // Black on two instances: one socket accepts, the other moves, at once.
    const resumed = g.black.received.find((a) => a.type === "client/RESUME_SESSION")!;
    const mover = connect(
      g.instances[0]!.url,
      (resumed.payload as { sessionId: string }).sessionId,
    );
    t.after(() => mover.close());
    await mover.next("client/RESUME_GAME");
    const [accepted, moved] = await Promise.all([
      g.black.send("game/PROPOSE_TAKEBACK", { gameId: id }),
      mover.send("game/PLAYER_MOVE", { gameId: id, move: "b8c6", ply: 3 }),
    ]);
    assert.equal(code(accepted), "ok");
    const record = (await loadGameRecord(g.instances[1]!.ctx, id))!;
    if (code(moved) === "ok") {
      // The move came first: the proposal lapsed, and black's PROPOSE_TAKEBACK proposed anew.
      assert.equal(record.game.ply, 4);
      assert.equal(record.takebackOffer, "black");
      outcomes.add("move");
    } else {
      assert.equal(code(moved), "FUTURE_PLY", "the takeback came first: ply 3 is gone");
      assert.equal(record.game.ply, 2);
      assert.deepEqual(record.game.moves, ["e2e4", "e7e5"]);
      outcomes.add("takeback");
    }
    // Every socket saw the same events, in order of v, ending where Redis is.
    const events = (c: typeof g.white) =>
      c.received
        .filter((a) => a.type.startsWith("client/") && "v" in (a.payload as object))
        .filter((a) => a.type !== "client/RESUME_GAME" && a.type !== "client/START_GAME")
        .map((a) => `${(a.payload as { v: number }).v}:${a.type}`);
    await new Promise((r) => setTimeout(r, 200));
    const seen = events(g.white);
    assert.deepEqual(events(g.black), seen);
    assert.equal(seen.at(-1)?.split(":")[0], String(record.game.v));
    for (const i of g.instances) await i.close();
  }
  t.diagnostic(`outcomes seen: ${[...outcomes].join(", ")}`);
});

test("a move planned before a takeback is refused at the same ply after it: the position differs", async (t) => {
  const g = await setupGame(t);
  const ctx = g.instances[0]!.ctx;
  const id = g.gameId;
  for (const [ply, uci] of ["e2e4", "e7e5", "g1f3", "b8c6"].entries())
    assert.equal(code(await g.play(uci, ply)), "ok");
  await updateAt(g.white, 4);
  // An instance read the game here (ply 4, knight on f3) and is slow to commit.
  const stale = (await loadLiveGame(ctx, id))!;
  // White takes back two plies; the game reaches ply 4 again by other moves (no knight on f3).
  assert.equal(code(await g.white.send("game/PROPOSE_TAKEBACK", { gameId: id })), "ok");
  await g.black.next("client/TAKEBACK_OFFERED");
  assert.equal(code(await g.black.send("game/PROPOSE_TAKEBACK", { gameId: id })), "ok");
  await g.white.next("client/TAKEBACK");
  assert.equal(code(await g.play("f1c4", 2)), "ok");
  assert.equal(code(await g.play("g8f6", 3)), "ok");
  await updateAt(g.white, 4);
  const before = await ctx.redis.hGetAll(ctx.keys.game(id));

  // Nf3xe5 is legal on the stale copy only; the commit compares ply and takebacks and refuses it.
  const plan = planMove(stale, g.whiteUser.id, "f3e5", 4);
  assert.ok(plan.ok);
  assert.equal((await commitMove(ctx, stale, plan)).code, "CONFLICT");
  assert.deepEqual(await ctx.redis.hGetAll(ctx.keys.game(id)), before, "nothing changed");
  // Through a socket the same move is judged on the game as it is.
  assert.equal(code(await g.play("f3e5", 4)), "ILLEGAL_MOVE");
  const record = (await loadGameRecord(ctx, id))!;
  assert.deepEqual(record.game.moves, ["e2e4", "e7e5", "f1c4", "g8f6"]);
  assert.equal(record.takebacks, 1);
});
