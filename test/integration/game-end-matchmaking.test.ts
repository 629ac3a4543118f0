// A player who starts matchmaking the instant GAME_OVER arrives, before the follow-up of the
// game's end ran (store/game-end.ts). Apart from game-end-followup.test.ts because matchmaking's
// steps still span slots: not on the Cluster pass of `npm test` (docs/architecture.md).
import assert from "node:assert/strict";
import { test } from "node:test";
import { setupGame } from "../helpers/game-setup.js";
import { resignAlone } from "../helpers/live-games.js";
import { ackState } from "../helpers/matchmaking.js";

test("a player who starts matchmaking the instant GAME_OVER arrives is queued, not refused BUSY", async (t) => {
  const g = await setupGame(t);
  await resignAlone(g.instances[0]!.ctx, g.gameId);
  await g.black.next("client/GAME_OVER");
  const ack = await g.black.send("server/START_MATCHMAKING", { timeControl: "5+0" });
  assert.equal(ackState(ack).status, "queued");
});
