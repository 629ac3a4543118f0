// The game clock, pure: Fischer increment, no clock until both sides have made their first move,
// and the deadline by which the side to move must act. The commit scripts apply exactly these
// rules in Redis with Redis TIME (src/store/lua/game-move-3.lua); an integration test holds
// them to this module.
import type { Clock, Color } from "../protocol/types.js";

export interface ClockRules {
  incrementMs: number;
  firstMoveMs: number;
}

export const sideToMoveAt = (ply: number): Color => (ply % 2 === 0 ? "white" : "black");

/** Remaining time of each side at `nowMs`: the side to move loses time while the clock runs. */
export function remainingAt(
  clock: Clock,
  ply: number,
  nowMs: number,
): { whiteMs: number; blackMs: number } {
  if (!clock.running) return { whiteMs: clock.whiteMs, blackMs: clock.blackMs };
  const elapsed = Math.max(0, nowMs - clock.serverTime);
  return sideToMoveAt(ply) === "white"
    ? { whiteMs: Math.max(0, clock.whiteMs - elapsed), blackMs: clock.blackMs }
    : { whiteMs: clock.whiteMs, blackMs: Math.max(0, clock.blackMs - elapsed) };
}

export type ClockStep =
  | { ok: true; clock: Clock; deadline: number; moverMs: number }
  | { ok: false; reason: "flag" | "first-move" };

/**
 * The clock after the move of ply `ply` made at `nowMs`, given the `deadline` the mover had.
 * A move at or after the deadline is too late: the mover's flag fell (or, before both first
 * moves, its chance to start the game passed). `creditMs` is the lag compensation of the move
 * (src/domain/lag.ts), given back to the mover when the clock runs.
 */
export function clockAfterMove(
  clock: Clock,
  ply: number,
  deadline: number,
  nowMs: number,
  rules: ClockRules,
  creditMs = 0,
): ClockStep {
  if (nowMs >= deadline) return { ok: false, reason: ply < 2 ? "first-move" : "flag" };
  const mover = sideToMoveAt(ply);
  const ms = { white: clock.whiteMs, black: clock.blackMs };
  if (clock.running) {
    ms[mover] = ms[mover] - (nowMs - clock.serverTime) + creditMs + rules.incrementMs;
  }
  const running = clock.running || ply === 1;
  let next: number;
  if (ply === 0) next = nowMs + rules.firstMoveMs;
  else if (ply === 1) next = nowMs + ms.white;
  else next = nowMs + ms[mover === "white" ? "black" : "white"];
  return {
    ok: true,
    clock: { whiteMs: ms.white, blackMs: ms.black, running, serverTime: nowMs },
    deadline: next,
    moverMs: ms[mover],
  };
}
