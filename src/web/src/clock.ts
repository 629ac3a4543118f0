// Game clocks as the player sees them: the server's clock corrected for the offset between the
// client's and the server's time. Pure: every instant is passed in.
import type { Clock, Color } from "../../protocol/types.js";

/**
 * Estimates serverTime − clientTime. A message stamped `serverTime` and received at `receivedAt`
 * proves offset ≥ serverTime − receivedAt. A move's stamp is fresh (the move was just made), so
 * the largest such bound is within one network delay of the truth; a resumed game's stamp may be
 * minutes old, a weak bound. Until a fresh one arrives, HTTP `Date` headers (whole seconds) bound
 * the offset on both sides and their middle is the guess.
 */
export class ClockOffset {
  private fresh = -Infinity;
  private stale = -Infinity;
  private dateLow = -Infinity;
  private dateHigh = Infinity;

  observe(serverTime: number, receivedAt: number, fresh: boolean): void {
    const bound = serverTime - receivedAt;
    if (fresh) this.fresh = Math.max(this.fresh, bound);
    else this.stale = Math.max(this.stale, bound);
  }

  observeDateHeader(dateMs: number, sentAt: number, receivedAt: number): void {
    if (!Number.isFinite(dateMs)) return;
    this.dateLow = Math.max(this.dateLow, dateMs - receivedAt);
    this.dateHigh = Math.min(this.dateHigh, dateMs + 1000 - sentAt);
  }

  offsetMs(): number {
    const high = this.dateHigh;
    if (this.fresh > -Infinity) return Math.min(this.fresh, high);
    const low = Math.max(this.stale, this.dateLow);
    if (high === Infinity) return low === -Infinity ? 0 : low;
    if (low === -Infinity) return high - 500;
    return low >= high ? high : Math.max(low, Math.min((this.dateLow + high) / 2, high));
  }
}

/** Remaining time of one side at the server instant `serverNow`; never below zero. */
export function remainingMs(clock: Clock, color: Color, turn: Color, serverNow: number): number {
  const base = color === "white" ? clock.whiteMs : clock.blackMs;
  if (!clock.running || turn !== color) return Math.max(0, base);
  return Math.max(0, base - Math.max(0, serverNow - clock.serverTime));
}

/** 1:05:00, 4:59, 0:10, then tenths under ten seconds: 9.8. */
export function formatClock(ms: number): string {
  if (ms < 10_000) return (Math.floor(ms / 100) / 10).toFixed(1);
  const totalS = Math.floor(ms / 1000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = String(totalS % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** "0:07" for a waiting time in the queue. */
export function formatWait(ms: number): string {
  const totalS = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(totalS / 60)}:${String(totalS % 60).padStart(2, "0")}`;
}
