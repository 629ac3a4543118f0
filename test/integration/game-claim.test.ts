import assert from "node:assert/strict";
import { test } from "node:test";
import { loadGame } from "../../src/store/game-store.js";
import type { Ack } from "../../src/protocol/types.js";
import { connect } from "../helpers/client.js";
import { setupGame, updateAt } from "../helpers/game-setup.js";
import { playersFreed } from "../helpers/games.js";
import { spawnInstance } from "../helpers/instances.js";
import { startGame } from "../helpers/live-games.js";

const code = (ack: unknown) =>
  (ack as Ack).ok ? "ok" : (ack as Extract<Ack, { ok: false }>).error.code;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Short enough for a test: claimable 1.5 s after leaving; a dead instance's part stale in 0.9 s. */
const FAST = { GONE_MS: "1500", PRESENCE_HEARTBEAT_MS: "300" };

test("claim: refused while the opponent is here and until GONE_MS after it left, then won on abandonment", async (t) => {
  const g = await setupGame(t, { env: FAST });
  const id = g.gameId;
  await g.play("e2e4", 0);
  assert.equal(code(await g.white.send("game/CLAIM_VICTORY", { gameId: id })), "OPPONENT_PRESENT");
  await g.play("e7e5", 1);
  await updateAt(g.white, 2);
  assert.equal(code(await g.white.send("game/CLAIM_VICTORY", { gameId: id })), "OPPONENT_PRESENT");

  g.black.close();
  const crowd = await g.white.nextWhere("client/CROWD", (c) => !c.black, 5_000);
  assert.deepEqual(crowd, { gameId: id, white: true, black: false, watchers: 0 });
  const early = await g.white.send("game/CLAIM_VICTORY", { gameId: id });
  assert.equal(code(early), "OPPONENT_PRESENT", "gone, but not for GONE_MS yet");
  await sleep(1_600);
  assert.equal(code(await g.white.send("game/CLAIM_VICTORY", { gameId: id })), "ok");
  const over = await g.white.next("client/GAME_OVER");
  assert.deepEqual([over.result, over.reason, over.winner], ["1-0", "abandoned", "white"]);
  const ctx = g.instances[0]!.ctx;
  await playersFreed(ctx, [g.whiteUser.id, g.blackUser.id]);
  assert.equal((await loadGame(ctx, id))?.reason, "abandoned");
  for (const type of ["game/GIVE_TIME", "game/PROPOSE_TAKEBACK", "game/CLAIM_VICTORY"]) {
    assert.equal(code(await g.white.send(type, { gameId: id })), "GAME_OVER", type);
  }
});

test("claim: a draw when the claimant cannot mate", async (t) => {
  const g = await setupGame(t, { env: FAST });
  const ctx = g.instances[0]!.ctx;
  await g.play("e2e4", 0);
  await g.play("e7e5", 1);
  await updateAt(g.white, 2);
  // White to move with a bare king against a queen.
  await ctx.redis.hSet(ctx.keys.game(g.gameId), "fen", "7k/8/8/8/8/8/5q2/K7 w - - 0 2");
  for (const i of g.instances) i.rt.cache.delete(g.gameId);
  g.black.close();
  await sleep(1_700);
  assert.equal(code(await g.white.send("game/CLAIM_VICTORY", { gameId: g.gameId })), "ok");
  const over = await g.white.next("client/GAME_OVER");
  assert.deepEqual([over.result, over.reason, over.winner], ["1/2-1/2", "abandoned", null]);
});

test("claim: the opponent's instance SIGKILLed counts as gone once its refresh is stale", async (t) => {
  const g = await setupGame(t, { env: FAST });
  const child = await spawnInstance(g.env);
  t.after(() => child.kill());
  // Black plays from the child instance only.
  g.black.close();
  const black = connect(child.url);
  t.after(() => black.close());
  const blackUser = (await black.next("client/RESUME_SESSION")).user;
  const ctx = g.instances[0]!.ctx;
  const gameId = await startGame(ctx, g.whiteUser, blackUser, {});
  await g.white.send("game/PLAYER_READY", { gameId });
  await black.send("game/PLAYER_READY", { gameId });
  assert.equal(
    code(await g.white.send("game/PLAYER_MOVE", { gameId, move: "d2d4", ply: 0 })),
    "ok",
  );
  assert.equal(code(await black.send("game/PLAYER_MOVE", { gameId, move: "d7d5", ply: 1 })), "ok");
  await g.white.nextWhere("client/CROWD", (c) => c.gameId === gameId && c.black, 5_000);

  await child.kill();
  const killedAt = Date.now();
  assert.equal(code(await g.white.send("game/CLAIM_VICTORY", { gameId })), "OPPONENT_PRESENT");
  // Stale after three heartbeats (0.9 s), claimable GONE_MS (1.5 s) after its last refresh.
  let claimed = "";
  while (Date.now() - killedAt < 5_000) {
    claimed = code(await g.white.send("game/CLAIM_VICTORY", { gameId }));
    if (claimed === "ok") break;
    assert.equal(claimed, "OPPONENT_PRESENT");
    await sleep(100);
  }
  assert.equal(claimed, "ok");
  const waited = Date.now() - killedAt;
  t.diagnostic(`claimable ${waited} ms after the SIGKILL`);
  assert.ok(waited >= 1_100, `not before the refresh went stale and GONE_MS passed (${waited})`);
  const over = await g.white.nextWhere("client/GAME_OVER", (o) => o.gameId === gameId);
  assert.equal(over.reason, "abandoned");
});

test("claim racing the opponent's reconnect and move: one outcome", async (t) => {
  const outcomes = new Set<string>();
  for (let round = 0; round < 4; round++) {
    const g = await setupGame(t, { env: FAST });
    const id = g.gameId;
    for (const [ply, uci] of ["e2e4", "e7e5", "g1f3"].entries()) await g.play(uci, ply);
    await updateAt(g.black, 3);
    const session = (
      g.black.received.find((a) => a.type === "client/RESUME_SESSION")!.payload as {
        sessionId: string;
      }
    ).sessionId;
    g.black.close();
    await sleep(1_700);
    // Black comes back and moves the instant it has the game, as white claims.
    const back = connect(g.instances[1]!.url, session);
    t.after(() => back.close());
    const moved = back
      .next("client/RESUME_SESSION")
      .then(async ({ state }): Promise<Ack | "IDLE"> => {
        if (state.status !== "playing") return "IDLE"; // the claim was committed first
        await back.next("client/RESUME_GAME");
        return back.send("game/PLAYER_MOVE", { gameId: id, move: "b8c6", ply: 3 });
      });
    await sleep(round * 3);
    const claim = await g.white.send("game/CLAIM_VICTORY", { gameId: id });
    const move = await moved;
    const game = (await loadGame(g.instances[0]!.ctx, id))!;
    if (code(claim) === "ok") {
      assert.ok(move === "IDLE" || code(move) === "GAME_OVER", JSON.stringify(move));
      assert.deepEqual([game.status, game.reason, game.ply], ["ended", "abandoned", 3]);
      outcomes.add("claim");
    } else {
      assert.equal(code(claim), "OPPONENT_PRESENT");
      assert.equal(code(move), "ok");
      assert.deepEqual([game.status, game.ply], ["started", 4]);
      outcomes.add("move");
    }
    for (const i of g.instances) await i.close();
  }
  t.diagnostic(`outcomes seen: ${[...outcomes].join(", ")}`);
});

test("a watcher gets the crowd after its RESUME_GAME, and cannot act", async (t) => {
  const g = await setupGame(t, { env: FAST });
  await g.play("e2e4", 0);
  const watcher = connect(g.instances[1]!.url);
  t.after(() => watcher.close());
  await watcher.next("client/RESUME_SESSION");
  assert.equal(code(await watcher.send("game/WATCH", { gameId: g.gameId })), "ok");
  await watcher.next("client/RESUME_GAME");
  // At once the last crowd announced; within a second the one that counts this watcher, to all.
  assert.equal((await watcher.next("client/CROWD", 1_000)).gameId, g.gameId);
  const full = (c: { white: boolean; black: boolean; watchers: number }) =>
    c.white && c.black && c.watchers === 1;
  await watcher.nextWhere("client/CROWD", full, 3_000);
  await g.white.nextWhere("client/CROWD", full, 3_000);
  for (const type of ["game/GIVE_TIME", "game/PROPOSE_TAKEBACK", "game/CLAIM_VICTORY"]) {
    assert.equal(code(await watcher.send(type, { gameId: g.gameId })), "NOT_YOUR_GAME", type);
  }
});

test("a player watching many games keeps its own game: still present, still fed", async (t) => {
  const g = await setupGame(t, { env: FAST });
  const ctx = g.instances[0]!.ctx;
  await g.play("e2e4", 0);
  await g.play("e7e5", 1);
  // White (on instance 0) watches more games than a socket may hold at once.
  for (let i = 0; i < 9; i++) {
    const other = await startGame(
      ctx,
      { id: `w${i}-${g.gameId}`, username: `w${i}` },
      { id: `b${i}-${g.gameId}`, username: `b${i}` },
    );
    assert.equal(code(await g.white.send("game/WATCH", { gameId: other })), "ok");
  }
  await sleep(1_700); // past GONE_MS, had white's own feed been dropped
  assert.equal(
    code(await g.black.send("game/CLAIM_VICTORY", { gameId: g.gameId })),
    "OPPONENT_PRESENT",
  );
  await g.play("g1f3", 2);
  await g.play("b8c6", 3);
  assert.equal((await updateAt(g.white, 4)).move.uci, "b8c6", "white's own game still reaches it");
});
