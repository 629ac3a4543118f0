// Time controls: the pool label "minutes+increment" and the speed that follows from its estimated
// duration (initial + 40 × increment), as PROTOCOL.md and lichess define it.
import { speedOf } from "../protocol/pools.js";
import type { TimeControl } from "../protocol/types.js";

export { speedOf };

/** Parses "3+2"; null for anything that is not minutes+seconds. */
export function parseTimeControl(label: string): TimeControl | null {
  const match = /^(\d{1,3})\+(\d{1,3})$/.exec(label);
  if (match === null) return null;
  const initialMs = Number(match[1]) * 60_000;
  const incrementMs = Number(match[2]) * 1_000;
  if (initialMs === 0) return null;
  return { label, initialMs, incrementMs, speed: speedOf(initialMs, incrementMs) };
}
