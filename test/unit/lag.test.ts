import assert from "node:assert/strict";
import { test } from "node:test";
import { creditLag, lagRulesOf } from "../../src/domain/lag.js";
import { parseTimeControl } from "../../src/domain/time-control.js";

test("the quota per time control is lichess's: gain, start and ceiling", () => {
  const rows: [string, number, number, number][] = [
    ["1+0", 390, 1170, 2730],
    ["3+0", 870, 2610, 6090],
    ["3+2", 1000, 3000, 7000],
    ["10+0", 1000, 3000, 7000],
  ];
  for (const [label, gainMs, startMs, maxMs] of rows) {
    assert.deepEqual(lagRulesOf(parseTimeControl(label)!), { gainMs, startMs, maxMs }, label);
  }
});

test("credits, move by move in 1+0: the least of lag, quota and time taken; the quota refills", () => {
  const rules = lagRulesOf(parseTimeControl("1+0")!);
  // [lag, elapsed, credit, quota after]
  const steps: [number, number, number, number][] = [
    [300, 310, 300, 1260], // 1170 - 300 + 390
    [5000, 6000, 1260, 390], // the whole quota, no more
    [5000, 6000, 390, 390],
    [5000, 200, 200, 580], // never more than the move took: a clock never gains
    [0, 1000, 0, 970],
    [100, 1000, 100, 1260],
    [0, 1000, 0, 1650],
    [0, 1000, 0, 2040],
    [0, 1000, 0, 2430],
    [0, 1000, 0, 2730], // capped at 7 × gain
    [0, 1000, 0, 2730],
    [-50, 1000, 0, 2730], // a negative lag credits nothing
  ];
  let quota = rules.startMs;
  for (const [i, [lag, elapsed, credit, after]] of steps.entries()) {
    const step = creditLag(rules, quota, lag, elapsed);
    assert.deepEqual(step, { creditMs: credit, quotaMs: after }, `move ${i}`);
    quota = step.quotaMs;
  }
});
