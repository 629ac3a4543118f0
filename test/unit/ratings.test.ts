import assert from "node:assert/strict";
import { test } from "node:test";
import {
  INITIAL_GLICKO,
  ratePeriod,
  rateGame,
  scoreOf,
  type Glicko,
} from "../../src/domain/ratings.js";

const near = (actual: number, expected: number, within: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= within,
    `${what}: ${actual} is not within ${within} of ${expected}`,
  );

test("Glickman's worked example: 1500/200/0.06 beats 1400/30, loses to 1550/100 and 1700/300", () => {
  const player = { rating: 1500, deviation: 200, volatility: 0.06 };
  const opp = (rating: number, deviation: number): Glicko => ({
    rating,
    deviation,
    volatility: 0.06,
  });
  const after = ratePeriod(player, [
    { opponent: opp(1400, 30), score: 1 },
    { opponent: opp(1550, 100), score: 0 },
    { opponent: opp(1700, 300), score: 0 },
  ]);
  // The paper (glicko2.pdf, 2013 example): r' = 1464.06, RD' = 151.52, σ' = 0.05999 (printed
  // truncated; the exact value is 0.0599960, as other implementations of the example also give).
  near(after.rating, 1464.06, 0.01, "rating");
  near(after.deviation, 151.52, 0.01, "deviation");
  near(after.volatility, 0.05999, 0.00001, "volatility");
  near(after.volatility, 0.059996, 0.0000005, "volatility, more digits");
});

test("scoreOf gives white's score", () => {
  assert.equal(scoreOf("1-0"), 1);
  assert.equal(scoreOf("0-1"), 0);
  assert.equal(scoreOf("1/2-1/2"), 0.5);
});

test("two new players: the winner gains what the loser loses, and both deviations shrink", () => {
  const win = rateGame(INITIAL_GLICKO, INITIAL_GLICKO, 1);
  const loss = rateGame(INITIAL_GLICKO, INITIAL_GLICKO, 0);
  near(win.white.rating - 1500, 1500 - win.black.rating, 1e-9, "symmetric change");
  assert.ok(win.white.rating > 1500 && win.black.rating < 1500);
  assert.ok(win.white.deviation < 350 && win.black.deviation < 350);
  assert.equal(win.diff.white, -win.diff.black);
  assert.ok(
    win.diff.white > 100 && win.diff.white < 200,
    `a first game moves a new rating a lot: ${win.diff.white}`,
  );
  // Swapping colours swaps the outcome exactly.
  assert.deepEqual(loss.white, win.black);
  assert.deepEqual(loss.black, win.white);
  assert.deepEqual(loss.diff, { white: win.diff.black, black: win.diff.white });
});

test("a draw between equals changes no rating; between unequals it moves them together", () => {
  const equal = rateGame(INITIAL_GLICKO, INITIAL_GLICKO, 0.5);
  near(equal.white.rating, 1500, 1e-9, "white");
  near(equal.black.rating, 1500, 1e-9, "black");
  assert.deepEqual(equal.diff, { white: 0, black: 0 });
  const strong = { rating: 1900, deviation: 80, volatility: 0.06 };
  const weak = { rating: 1600, deviation: 80, volatility: 0.06 };
  const draw = rateGame(strong, weak, 0.5);
  assert.ok(draw.white.rating < 1900 && draw.black.rating > 1600);
  assert.ok(draw.diff.white < 0 && draw.diff.black > 0);
});

test("an upset moves ratings more than the expected result", () => {
  const strong = { rating: 2000, deviation: 60, volatility: 0.06 };
  const weak = { rating: 1600, deviation: 60, volatility: 0.06 };
  const expected = rateGame(strong, weak, 1);
  const upset = rateGame(strong, weak, 0);
  assert.ok(Math.abs(upset.diff.white) > Math.abs(expected.diff.white));
  assert.ok(expected.diff.white >= 0 && upset.diff.white < 0);
});

test("deterministic: the same inputs give the same outputs, and inputs are not changed", () => {
  const w = { rating: 1712.4, deviation: 91.3, volatility: 0.0601 };
  const b = { rating: 1650.9, deviation: 120.7, volatility: 0.0598 };
  const copy = structuredClone({ w, b });
  assert.deepEqual(rateGame(w, b, 0.5), rateGame(w, b, 0.5));
  assert.deepEqual({ w, b }, copy);
});

test("diff is the change of the rounded ratings", () => {
  const w = { rating: 1500.4, deviation: 200, volatility: 0.06 };
  const b = { rating: 1499.6, deviation: 200, volatility: 0.06 };
  const r = rateGame(w, b, 1);
  assert.equal(r.diff.white, Math.round(r.white.rating) - 1500);
  assert.equal(r.diff.black, Math.round(r.black.rating) - 1500);
});
