import assert from "node:assert/strict";
import { test } from "node:test";
import { clockAfterMove } from "../../src/domain/clock.js";
import { planMove } from "../../src/domain/game.js";
import { creditLag, lagRulesOf } from "../../src/domain/lag.js";
import { parseTimeControl } from "../../src/domain/time-control.js";
import { commitMove, loadLiveGame } from "../../src/store/game-commands.js";
import { loadGameRecord } from "../../src/store/game-store.js";
import { setupGame } from "../helpers/game-setup.js";

const MOVES = ["g1f3", "g8f6", "f3g1", "f6g8", "b1c3", "b8c6", "e2e4", "e7e5"];

test("the move script's lag credit and quota follow src/domain/lag.ts on every ply", async (t) => {
  const tc = parseTimeControl("1+0")!;
  const g = await setupGame(t, { timeControl: tc });
  const ctx = g.instances[0]!.ctx;
  const key = ctx.keys.game(g.gameId);
  const rules = lagRulesOf(tc);
  const quota = { white: rules.startMs, black: rules.startMs };
  // Claimed lags: within quota, beyond it (quota drained), nothing, and more than the move took.
  const claims = [0, 0, 300, 2000, 2000, 2000, 5000, 100];
  for (const [ply, uci] of MOVES.entries()) {
    // Each move is made to have taken 1.5 s (its clock's serverTime set back) but for the last two,
    // which take what they take, so that a claim beyond the time taken is bounded by it.
    if (ply >= 2 && ply < 6) {
      const serverTime = Number(await ctx.redis.hGet(key, "serverTime"));
      await ctx.redis.hSet(key, "serverTime", String(serverTime - 1500));
    }
    const before = (await loadGameRecord(ctx, g.gameId))!;
    const view = (await loadLiveGame(ctx, g.gameId))!;
    const mover = ply % 2 === 0 ? "white" : "black";
    const plan = planMove(view, mover === "white" ? g.whiteUser.id : g.blackUser.id, uci, ply);
    assert.ok(plan.ok);
    const reply = await commitMove(ctx, view, plan, claims[ply]);
    assert.equal(reply.code, "OK");
    if (reply.code !== "OK") return;
    const after = (await loadGameRecord(ctx, g.gameId))!;
    const now = after.game.clock.serverTime;
    let credit = 0;
    if (before.game.clock.running) {
      const step = creditLag(rules, quota[mover], claims[ply]!, now - before.game.clock.serverTime);
      credit = step.creditMs;
      quota[mover] = step.quotaMs;
    }
    assert.equal(reply.credit, credit, `credit of ply ${ply}`);
    const want = clockAfterMove(
      before.game.clock,
      ply,
      before.deadline,
      now,
      { incrementMs: 0, firstMoveMs: ctx.config.FIRST_MOVE_MS },
      credit,
    );
    assert.ok(want.ok);
    assert.deepEqual(after.game.clock, want.clock, `clock after ply ${ply}`);
    assert.equal(after.deadline, want.deadline, `deadline after ply ${ply}`);
    const stored = await ctx.redis.hmGet(key, ["whiteLagQuota", "blackLagQuota"]);
    assert.deepEqual(stored.map(Number), [quota.white, quota.black], `quotas after ply ${ply}`);
  }
  // Lags of 300, then 2000 thrice out of a 1170 quota refilled by 390 per move: the drain shows.
  assert.ok(quota.black < rules.startMs, `black's quota was drawn on (${quota.black})`);
});
