// A game's end frees its players and queues its archive in steps of their own (store/game-end.ts).
// Here the ending step runs alone, as it would on an instance killed right after it: the intent it
// scheduled must be taken over, and a player must never be refused for a game that is over.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "../helpers/client.js";
import { archivedCount, setupGame } from "../helpers/game-setup.js";
import { eventually } from "../helpers/games.js";
import { resignAlone } from "../helpers/live-games.js";

test("a game ended by an instance that dies before the follow-up: another frees both players and archives it", async (t) => {
  const g = await setupGame(t);
  await g.play("e2e4", 0);
  await g.play("e7e5", 1);
  const ctx = g.instances[1]!.ctx;
  const players = [g.whiteUser.id, g.blackUser.id];
  const raw = () => Promise.all(players.map((id) => ctx.redis.get(ctx.keys.live(id))));
  await resignAlone(ctx, g.gameId);
  for (const c of [g.white, g.black]) {
    const over = await c.next("client/GAME_OVER");
    assert.deepEqual([over.result, over.reason], ["0-1", "resign"]);
  }
  const intent = `ended:${g.gameId}`;
  assert.ok(await ctx.redis.zScore(ctx.keys.deadlinesOf(g.gameId), intent), "the intent is due");
  assert.ok(
    (await raw()).every((s) => s !== null),
    "nobody freed them yet",
  );
  const freedAt = await eventually(
    async () => (await raw()).every((s) => s === null) && Date.now(),
    "a deadline poller to free both players",
  );
  assert.equal(await archivedCount(g.instances[0]!, g.gameId), 1, "archived once");
  assert.equal(await ctx.redis.zScore(ctx.keys.deadlinesOf(g.gameId), intent), null);
  t.diagnostic(`freed by the takeover ${freedAt % 100_000} (ms clock)`);
});

test("a player told idle the instant GAME_OVER arrives: a new tab's RESUME_SESSION, before the follow-up ran", async (t) => {
  const g = await setupGame(t);
  await resignAlone(g.instances[0]!.ctx, g.gameId);
  await g.white.next("client/GAME_OVER");
  const session = (g.white.received[0]!.payload as { sessionId: string }).sessionId;
  const tab = connect(g.instances[1]!.url, session);
  t.after(() => tab.close());
  assert.deepEqual((await tab.next("client/RESUME_SESSION")).state, { status: "idle" });
});
