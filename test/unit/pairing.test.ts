import assert from "node:assert/strict";
import { test } from "node:test";
import {
  acceptable,
  acceptableRange,
  baseRange,
  pairSeekers,
  type Pair,
  type Seeker,
} from "../../src/domain/pairing.js";

const NOW = 1_700_000_000_000;

/** A registered player who joined `waitedS` seconds before NOW. */
const player = (id: string, rating: number, waitedS = 0): Seeker => ({
  id,
  rating,
  since: NOW - waitedS * 1000,
  guest: false,
});
const guest = (id: string, waitedS = 0): Seeker => ({ ...player(id, 1500, waitedS), guest: true });

/** Pairs as sorted id strings, order-free, for comparisons. */
const names = (pairs: Pair[]): string[] => pairs.map((p) => [p.a, p.b].sort().join("-")).sort();

function assertDisjoint(pairs: Pair[]): void {
  const seen = new Set<string>();
  for (const { a, b } of pairs) {
    assert.notEqual(a, b);
    assert.ok(!seen.has(a) && !seen.has(b), `${a} or ${b} paired twice`);
    seen.add(a).add(b);
  }
}

void test("base windows follow lichess's ratingToMaxScore", () => {
  assert.equal(baseRange(900), 130);
  assert.equal(baseRange(1200), 100);
  assert.equal(baseRange(1500), 100);
  assert.equal(baseRange(3000), 200);
});

void test("closeness: each player gets the nearest rating, not the neighbour in the queue", () => {
  const pairs = pairSeekers(
    [player("a", 1500, 4), player("b", 1900, 3), player("c", 1520, 2), player("d", 1880, 1)],
    NOW,
  );
  assert.deepEqual(names(pairs), ["a-c", "b-d"]);
});

void test("closeness: players too far apart are not paired in their first waves", () => {
  const pairs = pairSeekers([player("a", 1200), player("b", 1600), player("c", 2400)], NOW);
  assert.deepEqual(pairs, []);
});

void test("widening: the window grows with time waited, and both players' windows must fit", () => {
  const fresh = player("a", 1500);
  const waited = player("a", 1500, 30);
  assert.ok(acceptableRange(waited, NOW) > acceptableRange(fresh, NOW));
  assert.equal(acceptableRange(waited, NOW), 100 + 300);
  const far = player("b", 1850, 30);
  assert.equal(acceptable(fresh, far, NOW), false, "the newcomer's window is still 100");
  assert.equal(acceptable(waited, far, NOW), true);
  // Three players 350 points apart: nothing at first, paired once they have waited.
  const trio = (waitedS: number) =>
    pairSeekers(
      [player("x", 1500, waitedS), player("y", 1850, waitedS), player("z", 2600, waitedS)],
      NOW,
    );
  assert.deepEqual(trio(0), []);
  assert.deepEqual(names(trio(30)), ["x-y"]);
});

void test("widening never stops: far-apart players meet eventually", () => {
  const pairs = pairSeekers(
    [player("a", 900, 300), player("b", 2700, 300), player("c", 3000)],
    NOW,
  );
  assert.deepEqual(names(pairs), ["a-b"]);
});

void test("fairness: the longest-waiting player is served first, even if others fit better", () => {
  // y and z are closer to each other (20) than x is to y (40), but x has waited longest.
  const pairs = pairSeekers(
    [player("y", 1540, 1), player("z", 1560, 0), player("x", 1500, 10)],
    NOW,
  );
  assert.deepEqual(pairs, [{ a: "x", b: "y" }]);
});

void test("fairness: on equal rating gaps the longer-waiting opponent is chosen", () => {
  const pairs = pairSeekers(
    [player("p", 1500, 20), player("lo", 1490, 5), player("hi", 1510, 9)],
    NOW,
  );
  assert.deepEqual(pairs, [{ a: "p", b: "hi" }]);
});

void test("fairness: with an odd count the newest player is the one left waiting", () => {
  const seekers = [player("a", 1500, 5), player("b", 1501, 4), player("c", 1502, 0)];
  const pairs = pairSeekers(seekers, NOW);
  assert.equal(pairs.length, 1);
  assert.ok(!names(pairs)[0]!.includes("c"));
});

void test("a lone pair is always matched, whatever the gap", () => {
  assert.deepEqual(pairSeekers([player("b", 3000), player("a", 800, 1)], NOW), [
    { a: "a", b: "b" },
  ]);
  assert.deepEqual(pairSeekers([player("a", 1500)], NOW), []);
  assert.deepEqual(pairSeekers([], NOW), []);
});

void test("odd count: everybody but one is paired when ratings are close", () => {
  const seekers = Array.from({ length: 41 }, (_, i) => player(`p${i}`, 1500 + i, i % 7));
  const pairs = pairSeekers(seekers, NOW);
  assertDisjoint(pairs);
  assert.equal(pairs.length, 20);
});

void test("guests in casual pools are paired by waiting time, ratings aside", () => {
  const pairs = pairSeekers([guest("g3", 1), guest("g1", 9), guest("g4", 0), guest("g2", 5)], NOW);
  assert.deepEqual(pairs, [
    { a: "g1", b: "g2" },
    { a: "g3", b: "g4" },
  ]);
});

void test("a guest left over plays the longest-waiting registered player left over", () => {
  const pairs = pairSeekers(
    [guest("g1", 3), guest("g2", 2), guest("g3", 1), player("r1", 1000, 8), player("r2", 2500, 1)],
    NOW,
  );
  assertDisjoint(pairs);
  assert.deepEqual(names(pairs), ["g1-g2", "g3-r1"]);
});

void test("10,000 players: disjoint pairs, small gaps, nearly everyone paired", () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const seekers = Array.from({ length: 10_000 }, (_, i) =>
    player(`p${i}`, 800 + random() * 1800, random() * 20),
  );
  const pairs = pairSeekers(seekers, NOW);
  assertDisjoint(pairs);
  assert.ok(pairs.length >= 4_990, `${pairs.length} pairs`);
  const byId = new Map(seekers.map((s) => [s.id, s]));
  for (const { a, b } of pairs) assert.ok(acceptable(byId.get(a)!, byId.get(b)!, NOW));
});
