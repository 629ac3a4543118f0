// Pairing waves: every instance ticks every PAIRING_INTERVAL_MS, and each wave of each pool and
// mode is claimed by exactly one instance with a Redis lock that lasts one interval. The claimer
// reads the queue, chooses pairs (a pure function) and commits each pair in its own atomic step;
// no wave state lives in memory, so a claimer that dies mid-wave leaves the rest to the next wave.
import type { AppContext } from "../context.js";
import { pairSeekers, type Pair } from "../domain/pairing.js";
import { POOLS } from "../protocol/actions.js";
import { newId } from "../store/ids.js";
import { createProposal, readQueue, redisNowMs } from "../store/matchmaking.js";
import { startMatchedGame } from "./matchups.js";

/** Pairs committed at once: enough to pipeline, few enough to leave room for other work. */
const PAIRS_IN_FLIGHT = 32;

const QUEUES = POOLS.flatMap((pool) => [
  { pool, rated: false },
  { pool, rated: true },
]);

/** Who holds a wave lock: the process id first, so operators (and tests) can tell instances apart. */
export const waveOwner = `${process.pid}:${newId()}`;

/** Proposes one chosen pair (the script tells both players) and starts the game when both auto-accept. */
async function commitPair(
  ctx: AppContext,
  pool: string,
  rated: boolean,
  pair: Pair,
): Promise<void> {
  const proposal = await createProposal(ctx, {
    ...pair,
    matchId: newId(),
    pool,
    rated,
    proposalMs: ctx.config.PROPOSAL_MS,
  });
  if (proposal === null) return;
  if (Object.values(proposal.players).every((p) => p.accepted))
    await startMatchedGame(ctx, proposal);
}

/** One wave over one queue; returns how many pairs were chosen. */
export async function runWave(ctx: AppContext, pool: string, rated: boolean): Promise<number> {
  const [entries, nowMs] = await Promise.all([readQueue(ctx, pool, rated), redisNowMs(ctx)]);
  const pairs = pairSeekers(entries, nowMs);
  for (let i = 0; i < pairs.length; i += PAIRS_IN_FLIGHT) {
    const batch = pairs.slice(i, i + PAIRS_IN_FLIGHT);
    const results = await Promise.allSettled(
      batch.map((pair) => commitPair(ctx, pool, rated, pair)),
    );
    for (const r of results) {
      if (r.status === "rejected") ctx.log.warn({ err: r.reason, pool }, "pairing a couple failed");
    }
  }
  return pairs.length;
}

/**
 * A wave soon after a join, so that a player whom a compatible opponent is waiting for is paired
 * at once rather than at the next tick. Joins within PAIRING_SOON_MS share one wave: the first
 * claims the queue's `soon` lock for that long and runs a wave; a join that finds the lock taken
 * tries once more when it has run out (the wave may have read the queue before this join). It is
 * only a shortcut: a join it misses (a lost race, an instance dying) is paired by the periodic
 * waves, and `pair-6` re-checks every pair however many waves overlap.
 */
export function pairSoon(ctx: AppContext, pool: string, rated: boolean): void {
  const ms = ctx.config.PAIRING_SOON_MS;
  if (ms === 0) return;
  const attempt = async (again: boolean): Promise<void> => {
    const claimed = await ctx.redis.set(ctx.keys.soonWaveLock(pool, rated), waveOwner, {
      condition: "NX",
      expiration: { type: "PX", value: ms },
    });
    if (claimed === "OK") await runWave(ctx, pool, rated);
    else if (again) setTimeout(() => void attempt(false).catch(failed), ms).unref();
  };
  const failed = (err: unknown) => ctx.log.warn({ err, pool }, "pairing a join failed");
  void attempt(true).catch(failed);
}

/** Claims and runs the waves of every queue that has at least two players. */
async function tick(ctx: AppContext): Promise<void> {
  if (!ctx.redis.isReady) return;
  const sizes = await Promise.all(
    QUEUES.map((q) => ctx.redis.zCard(ctx.keys.queue(q.pool, q.rated))),
  );
  const waves = QUEUES.filter((_, i) => sizes[i]! >= 2).map(async ({ pool, rated }) => {
    const claimed = await ctx.redis.set(ctx.keys.waveLock(pool, rated), waveOwner, {
      condition: "NX",
      expiration: { type: "PX", value: ctx.config.PAIRING_INTERVAL_MS },
    });
    if (claimed === "OK") await runWave(ctx, pool, rated);
  });
  await Promise.all(waves);
}

export function startPairingWaves(ctx: AppContext): { stop: () => Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    running = tick(ctx)
      .catch((err: unknown) => ctx.log.warn({ err }, "pairing wave failed"))
      .finally(() => {
        if (!stopped) setTimeout(loop, ctx.config.PAIRING_INTERVAL_MS).unref();
      });
  };
  loop();
  return {
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}
