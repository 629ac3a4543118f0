// Time controls: the pool label "minutes+increment" and the speed that follows from its estimated
// duration (initial + 40 × increment), as PROTOCOL.md and lichess define it.
import type { Speed, TimeControl } from "../protocol/types.js";

export function speedOf(initialMs: number, incrementMs: number): Speed {
  const estimatedS = (initialMs + 40 * incrementMs) / 1000;
  if (estimatedS < 180) return "bullet";
  if (estimatedS < 480) return "blitz";
  if (estimatedS < 1500) return "rapid";
  return "classical";
}

/** Parses "3+2"; null for anything that is not minutes+seconds. */
export function parseTimeControl(label: string): TimeControl | null {
  const match = /^(\d{1,3})\+(\d{1,3})$/.exec(label);
  if (match === null) return null;
  const initialMs = Number(match[1]) * 60_000;
  const incrementMs = Number(match[2]) * 1_000;
  if (initialMs === 0) return null;
  return { label, initialMs, incrementMs, speed: speedOf(initialMs, incrementMs) };
}
