// Plays a whole game through a Redis fault, as impatient players do: each side moves the instant
// it sees the opponent's move, and a move answered with an error is sent again with the same ply.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { loadGame } from "../../src/store/game-store.js";
import type { GameSetup } from "./game-setup.js";
import { archivedCount, updateAt } from "./game-setup.js";

export interface FaultRun {
  /** The moves acknowledged to their player, by ply (one whose resend was refused as already played is in too). */
  acked: string[];
  /** When the fault was made, and when the first move after it was acknowledged (Date.now()). */
  faultAt: number;
  resumedAt: number;
  /** Errors the players were answered with while the fault lasted, by code. */
  refusals: Record<string, number>;
}

/**
 * Plays `uci` in `g`; calls `fault` once `faultAtPly` moves are acknowledged. Every ply is sent until
 * it is acknowledged (or found already committed: CONFLICT), for at most `patienceMs` each.
 */
export async function playThroughFault(
  g: GameSetup,
  uci: readonly string[],
  faultAtPly: number,
  fault: () => void | Promise<void>,
  patienceMs = 30_000,
): Promise<FaultRun> {
  const run: FaultRun = { acked: [], faultAt: 0, resumedAt: 0, refusals: {} };
  for (let ply = 0; ply < uci.length; ply++) {
    if (ply === faultAtPly) {
      run.faultAt = Date.now();
      await fault();
    }
    const giveUpAt = Date.now() + patienceMs;
    for (;;) {
      const ack = (await g.play(uci[ply]!, ply)) as { ok: boolean; error?: { code: string } };
      const code = ack.ok ? "OK" : (ack.error?.code ?? "?");
      if (code === "OK" || code === "CONFLICT") break;
      // Refused as already played: the commit of an earlier send stood though its answer was lost
      // (a primary killed between the commit and the WAIT's reply). The player learns it from the
      // game, as a client resyncing by `v` does.
      if (
        code === "STALE_PLY" &&
        (await loadGame(g.instances[0]!.ctx, g.gameId))?.moves[ply] === uci[ply]
      ) {
        run.refusals[code] = (run.refusals[code] ?? 0) + 1;
        break;
      }
      run.refusals[code] = (run.refusals[code] ?? 0) + 1;
      assert.ok(Date.now() < giveUpAt, `ply ${ply} still refused (${code}) after ${patienceMs} ms`);
      await sleep(100);
    }
    run.acked.push(uci[ply]!);
    if (ply >= faultAtPly && run.resumedAt === 0) run.resumedAt = Date.now();
    // The opponent sees it (through whichever subscription its instance holds now) before answering.
    const opponent = ply % 2 === 0 ? g.black : g.white;
    assert.equal((await updateAt(opponent, ply + 1, patienceMs)).move.uci, uci[ply]);
  }
  return run;
}

/**
 * What a failover test checks after `playThroughFault`: moves sent during the switch were refused
 * INTERNAL (and at most one STALE_PLY, for a commit whose answer was lost with the old node), play
 * resumed within 10 s of `promotedAt`, every move was acknowledged, and after a resignation the
 * archived game holds the very moves both players saw. Returns a line for `t.diagnostic`.
 */
export async function checkFaultRun(
  g: GameSetup,
  run: FaultRun,
  moves: readonly string[],
  promotedAt: number,
): Promise<string> {
  assert.ok(promotedAt > 0, "a replica was promoted");
  assert.ok((run.refusals.INTERNAL ?? 0) > 0, "moves sent during the switch were refused");
  assert.deepEqual(
    Object.keys(run.refusals).filter((c) => c !== "STALE_PLY"),
    ["INTERNAL"],
  );
  assert.ok((run.refusals.STALE_PLY ?? 0) <= 1, JSON.stringify(run.refusals));
  const resumedAfterMs = run.resumedAt - promotedAt;
  assert.ok(resumedAfterMs < 10_000, `play resumed ${resumedAfterMs} ms after the promotion`);
  assert.deepEqual(run.acked, moves);

  const resign = await g.white.send("game/CONCEDE", { gameId: g.gameId });
  assert.ok(resign.ok, JSON.stringify(resign));
  for (const c of [g.white, g.black])
    assert.equal((await c.next("client/GAME_OVER")).reason, "resign");
  assert.equal(await archivedCount(g.instances[1]!, g.gameId, 20_000), 1);
  const doc = await g.instances[1]!.ctx.mongo.db.collection<{ _id: string; moves: string[] }>(
    "games",
  ).findOne({ _id: g.gameId });
  assert.deepEqual(doc?.moves, moves);
  return `promotion ${promotedAt - run.faultAt} ms after the kill; first move acknowledged ${resumedAfterMs} ms after it; refusals ${JSON.stringify(run.refusals)}`;
}
