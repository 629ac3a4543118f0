import assert from "node:assert/strict";
import { test } from "node:test";
import { clockAfterMove, remainingAt } from "../../src/domain/clock.js";
import type { Clock } from "../../src/protocol/types.js";

const T0 = 1_700_000_000_000;
const rules = { incrementMs: 2_000, firstMoveMs: 30_000 };
const fresh: Clock = { whiteMs: 180_000, blackMs: 180_000, running: false, serverTime: T0 };

test("clock steps, table-driven with a fixed time", () => {
  const rows: {
    name: string;
    clock: Clock;
    ply: number;
    deadline: number;
    now: number;
    want: unknown;
  }[] = [
    {
      name: "white's first move: no clock, no increment, black has FIRST_MOVE_MS",
      clock: fresh,
      ply: 0,
      deadline: T0 + 30_000,
      now: T0 + 5_000,
      want: {
        ok: true,
        clock: { ...fresh, serverTime: T0 + 5_000 },
        deadline: T0 + 35_000,
        moverMs: 180_000,
      },
    },
    {
      name: "black's first move starts white's clock, no increment",
      clock: { ...fresh, serverTime: T0 + 5_000 },
      ply: 1,
      deadline: T0 + 35_000,
      now: T0 + 9_000,
      want: {
        ok: true,
        clock: { whiteMs: 180_000, blackMs: 180_000, running: true, serverTime: T0 + 9_000 },
        deadline: T0 + 189_000,
        moverMs: 180_000,
      },
    },
    {
      name: "a timed move: elapsed time charged, increment added, opponent's deadline",
      clock: { whiteMs: 180_000, blackMs: 170_000, running: true, serverTime: T0 },
      ply: 2,
      deadline: T0 + 180_000,
      now: T0 + 3_500,
      want: {
        ok: true,
        clock: { whiteMs: 178_500, blackMs: 170_000, running: true, serverTime: T0 + 3_500 },
        deadline: T0 + 173_500,
        moverMs: 178_500,
      },
    },
    {
      name: "black's timed move",
      clock: { whiteMs: 100_000, blackMs: 50_000, running: true, serverTime: T0 },
      ply: 5,
      deadline: T0 + 50_000,
      now: T0 + 49_999,
      want: {
        ok: true,
        clock: { whiteMs: 100_000, blackMs: 2_001, running: true, serverTime: T0 + 49_999 },
        deadline: T0 + 149_999,
        moverMs: 2_001,
      },
    },
    {
      name: "a move at the deadline is too late: the flag fell",
      clock: { whiteMs: 1_000, blackMs: 50_000, running: true, serverTime: T0 },
      ply: 4,
      deadline: T0 + 1_000,
      now: T0 + 1_000,
      want: { ok: false, reason: "flag" },
    },
    {
      name: "a first move after FIRST_MOVE_MS is too late",
      clock: fresh,
      ply: 1,
      deadline: T0 + 30_000,
      now: T0 + 30_001,
      want: { ok: false, reason: "first-move" },
    },
  ];
  for (const row of rows) {
    assert.deepEqual(
      clockAfterMove(row.clock, row.ply, row.deadline, row.now, rules),
      row.want,
      row.name,
    );
  }
});

test("remaining time runs down for the side to move only, never below zero", () => {
  const clock: Clock = { whiteMs: 10_000, blackMs: 20_000, running: true, serverTime: T0 };
  assert.deepEqual(remainingAt(clock, 2, T0 + 4_000), { whiteMs: 6_000, blackMs: 20_000 });
  assert.deepEqual(remainingAt(clock, 3, T0 + 4_000), { whiteMs: 10_000, blackMs: 16_000 });
  assert.deepEqual(remainingAt(clock, 2, T0 + 60_000), { whiteMs: 0, blackMs: 20_000 });
  assert.deepEqual(remainingAt({ ...clock, running: false }, 2, T0 + 60_000), {
    whiteMs: 10_000,
    blackMs: 20_000,
  });
});
