// Lag compensation, pure, as lichess does it (scalachess LagTracker): each move credits the mover
// with the network time it cost, out of a quota that grows by `gain` per move, starts at 3 × gain
// and never exceeds 7 × gain. The move script applies exactly this in Redis with Redis TIME
// (src/store/lua/game-move-3.lua); a unit table and an integration test hold both to it.

export interface LagRules {
  /** What each move adds to the quota. */
  gainMs: number;
  /** The quota before a side's first compensated move. */
  startMs: number;
  /** The quota's ceiling. */
  maxMs: number;
}

/** gain = min(1 s, (initial + 40 × increment) × 2/5 / 100 + 0.15 s), in whole ms. */
export function lagRulesOf(tc: { initialMs: number; incrementMs: number }): LagRules {
  const gainMs = Math.min(1000, Math.round((tc.initialMs + 40 * tc.incrementMs) * 0.004 + 150));
  return { gainMs, startMs: 3 * gainMs, maxMs: 7 * gainMs };
}

/**
 * The credit of one move and the quota after it: the credit is the least of the lag (already the
 * least of the client's claim and the server's estimate), the quota and the time the move took,
 * so a clock never gains.
 */
export function creditLag(
  rules: LagRules,
  quotaMs: number,
  lagMs: number,
  elapsedMs: number,
): { creditMs: number; quotaMs: number } {
  const creditMs = Math.max(0, Math.min(lagMs, quotaMs, elapsedMs));
  return { creditMs, quotaMs: Math.min(quotaMs - creditMs + rules.gainMs, rules.maxMs) };
}
