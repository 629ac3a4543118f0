import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { lagRulesOf } from "../../src/domain/lag.js";
import { parseTimeControl } from "../../src/domain/time-control.js";
import type { ServerAction, ServerEvents } from "../../src/protocol/types.js";
import { playSan, randomSan } from "../helpers/chess-fixtures.js";
import { connect, type TestClient } from "../helpers/client.js";
import { delayProxy } from "../helpers/delay-proxy.js";
import { testEnv } from "../helpers/env.js";
import { clusterFor } from "../helpers/instances.js";
import { startGame } from "../helpers/live-games.js";

const ONE_WAY_MS = 150;
const WHITE_MOVES = 30;

/** A random legal game that lasts at least `plies`. */
function longGame(plies: number): string[] {
  for (let seed = 1; ; seed++) {
    const san = randomSan(plies, seed);
    if (san.length === plies) return playSan(san).uci;
  }
}

type Update = ServerEvents["client/UPDATE_GAME"];

interface Run {
  /** Per white move (clock running): what it lost, and what it was credited. */
  losses: number[];
  credits: number[];
}

/**
 * White behind the delaying proxy, black direct, both moving the instant they may: white's
 * `claim` gives the lag it sends with each move from its last measured round trip.
 */
async function play(
  t: TestContext,
  claim: (measuredMs: number) => number | undefined,
  whiteMoves: number,
): Promise<Run> {
  const env = testEnv({ FIRST_MOVE_MS: "20000" });
  const instances = await clusterFor(t, env, 2);
  const proxy = await delayProxy(instances[0]!.url, ONE_WAY_MS);
  t.after(() => proxy.close());
  const white = connect(proxy.url);
  const black = connect(instances[1]!.url);
  t.after(() => {
    white.close();
    black.close();
  });
  const whiteUser = (await white.next("client/RESUME_SESSION")).user;
  const blackUser = (await black.next("client/RESUME_SESSION")).user;
  const gameId = await startGame(instances[0]!.ctx, whiteUser, blackUser, { timeControl: "1+0" });
  const moves = longGame(2 * whiteMoves + 2);
  let measured = 0;
  for (const c of [white, black]) {
    const sent = performance.now();
    assert.ok((await c.send("game/PLAYER_READY", { gameId })).ok);
    if (c === white) measured = performance.now() - sent;
    await c.next("client/RESUME_GAME");
  }
  const updates: Update[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const onUpdate = (client: TestClient, parity: number) => (action: ServerAction) => {
      if (action.type !== "client/UPDATE_GAME") return;
      const u = action.payload;
      if (client === white) updates.push(u);
      if (u.ply >= moves.length) return resolve();
      if (u.ply % 2 !== parity) return;
      const sent = performance.now();
      const lag = client === white ? claim(measured) : undefined;
      client
        .send("game/PLAYER_MOVE", { gameId, move: moves[u.ply], ply: u.ply, lag })
        .then((ack) => {
          if (!ack.ok) reject(new Error(`move ${u.ply} refused: ${JSON.stringify(ack)}`));
          if (client === white) measured = performance.now() - sent;
        }, reject);
    };
    white.socket.on("action", onUpdate(white, 0));
    black.socket.on("action", onUpdate(black, 1));
  });
  assert.ok((await white.send("game/PLAYER_MOVE", { gameId, move: moves[0], ply: 0 })).ok);
  await done;
  const losses: number[] = [];
  const credits: number[] = [];
  // White's move at ply p (even, from 2 on) is the update to ply p + 1; its clock ran from the
  // update to ply p. Lost = before − after; credited = what it lost less than the time taken.
  for (let p = 2; p + 1 < updates.length; p += 2) {
    const before = updates[p - 1]!;
    const after = updates[p]!;
    assert.equal(after.ply, p + 1);
    const lost = before.clock.whiteMs - after.clock.whiteMs;
    losses.push(lost);
    credits.push(after.clock.serverTime - before.clock.serverTime - lost);
  }
  return { losses, credits };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test("150 ms each way: 30 instant moves in 1+0 lose almost nothing with lag compensation, about 0.3 s each without", async (t) => {
  const rules = lagRulesOf(parseTimeControl("1+0")!);
  const honest = await play(t, (measured) => Math.round(measured), WHITE_MOVES);
  const none = await play(t, () => undefined, 10);
  const greedy = await play(t, () => 5_000, WHITE_MOVES);

  const perMoveUncompensated = sum(none.losses) / none.losses.length;
  t.diagnostic(`no claim: ${Math.round(perMoveUncompensated)} ms lost per move`);
  assert.ok(perMoveUncompensated >= 2 * ONE_WAY_MS - 20, "the proxy costs a round trip per move");

  for (const [name, run] of [
    ["honest", honest],
    ["greedy", greedy],
  ] as const) {
    const lost = sum(run.losses);
    const credited = sum(run.credits);
    t.diagnostic(
      `${name}: ${run.losses.length} moves, lost ${lost} ms in all, credited ${credited} ms ` +
        `(${Math.round(credited / run.credits.length)} ms a move, at most ${Math.max(...run.credits)})`,
    );
    assert.ok(
      run.losses.every((l) => l >= 0),
      `${name}: a clock never gains`,
    );
    // The credit is bounded by the quota: 3 × gain to start, + gain per move.
    assert.ok(credited <= rules.startMs + run.credits.length * rules.gainMs);
    // Bounded by the server's own measure of the round trip too: a 5 s claim gets no more than
    // the honest one (a little scheduling noise aside).
    assert.ok(Math.max(...run.credits) <= 2 * ONE_WAY_MS + 100, `${name}: no more than the RTT`);
    // What was not credited is processing, not network: far below 30 × 0.3 s.
    assert.ok(lost < (run.losses.length * perMoveUncompensated) / 4, `${name}: lost ${lost} ms`);
  }
});
