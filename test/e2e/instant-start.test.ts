// White moves the instant its START_GAME arrives; black, on another instance (a process of its
// own), must see that move in every game: the game's channel is listened to, then its log read,
// before START_GAME reaches a socket.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startMatchedGame } from "../../src/jobs/matchups.js";
import type { Game, ServerAction } from "../../src/protocol/types.js";
import { newId } from "../../src/store/ids.js";
import { createProposal } from "../../src/store/matchmaking.js";
import { testEnv } from "../helpers/env.js";
import { updateAt } from "../helpers/game-setup.js";
import { clusterFor, spawnInstance, type ChildInstance } from "../helpers/instances.js";
import { join, queueUp, type Player } from "../helpers/matchmaking.js";

const POOL = "5+0";

test("white moves the instant START_GAME arrives: black, on another instance, sees it in every one of 500 games", async (t) => {
  // No pairing waves: the test pairs each couple itself, so that every game spans both instances.
  const env = testEnv({
    PAIRING_INTERVAL_MS: "3600000",
    PAIRING_SOON_MS: "0",
    FIRST_MOVE_MS: "60000",
  });
  // The pairing is committed by the instance of one player (in the test's process, as a pairing
  // wave would be); the other player's instance is a process of its own.
  const [a] = await clusterFor(t, env, 1);
  const b: ChildInstance = await spawnInstance(env);
  t.after(() => b.kill());
  const committer = a;
  const COUPLES = 100;
  const ROUNDS = 5;
  const couples: [Player, Player][] = [];
  for (let i = 0; i < COUPLES; i++) couples.push([await join(a!.url), await join(b.url)]);
  t.after(() => couples.flat().forEach((p) => p.client.close()));
  let missed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const games = couples.map(async ([x, y]) => {
      for (const p of [x, y]) assert.equal((await queueUp(p, POOL, { autoAccept: true })).ok, true);
      // Each side reacts in the tick its START_GAME arrives: white moves at once.
      const started = [x, y].map(
        (p) =>
          new Promise<{ p: Player; game: Game }>((resolve) => {
            const onAction = (action: ServerAction) => {
              if (action.type !== "client/START_GAME") return;
              p.client.socket.off("action", onAction);
              const game = action.payload.game;
              if (game.white.id === p.user.id)
                p.client.fire("game/PLAYER_MOVE", { gameId: game.id, move: "e2e4", ply: 0 });
              resolve({ p, game });
            };
            p.client.socket.on("action", onAction);
          }),
      );
      const proposal = await createProposal(committer!.ctx, {
        a: x.user.id,
        b: y.user.id,
        matchId: newId(),
        pool: POOL,
        rated: false,
        proposalMs: 15_000,
      });
      assert.ok(proposal, "both players were queued");
      assert.equal(await startMatchedGame(committer!.ctx, proposal), true);
      const [first] = await Promise.all(started);
      const game = first!.game;
      const black = game.black.id === x.user.id ? x : y;
      try {
        await updateAt(black.client, 1, 10_000);
      } catch {
        missed++;
      }
      // Black resigns before moving: the game is aborted, and both may queue again.
      await black.client.send("game/CONCEDE", { gameId: game.id });
      for (const p of [x, y])
        await p.client.nextWhere("client/GAME_OVER", (o) => o.gameId === game.id);
    });
    await Promise.all(games);
  }
  assert.equal(
    missed,
    0,
    `black never saw white's first move in ${missed} of ${COUPLES * ROUNDS} games`,
  );
});
