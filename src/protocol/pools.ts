// The pools of PROTOCOL.md and the speed of a time control: free of dependencies, so the browser
// client uses the same definitions as the server.
import type { Speed } from "./types.js";

export const POOLS = [
  "1+0",
  "2+1",
  "3+0",
  "3+2",
  "5+0",
  "5+3",
  "10+0",
  "10+5",
  "15+10",
  "30+0",
  "30+20",
] as const;
export type Pool = (typeof POOLS)[number];

/** The speed follows the estimated duration, initial + 40 × increment (lichess's rule). */
export function speedOf(initialMs: number, incrementMs: number): Speed {
  const estimatedS = (initialMs + 40 * incrementMs) / 1000;
  if (estimatedS < 180) return "bullet";
  if (estimatedS < 480) return "blitz";
  if (estimatedS < 1500) return "rapid";
  return "classical";
}
