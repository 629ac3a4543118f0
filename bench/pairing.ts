// Benchmark: one pairing wave (the pure choice, src/domain/pairing.ts) over a pool of 10,000 queued
// players with spread ratings and waiting times. Prints the median of several runs.
// Run: npx tsc -p . && node dist/bench/pairing.js [players] [runs]
import { pairSeekers, type Seeker } from "../src/domain/pairing.js";

const players = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 15);
const NOW = 1_700_000_000_000;

/** A deterministic pool: ratings roughly normal around 1500, waits up to 60 s, 10 % guests. */
function pool(n: number, seed: number): Seeker[] {
  let s = seed;
  const random = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i) => ({
    id: `player-${i}`,
    rating: 1500 + (random() + random() + random() - 1.5) * 700,
    since: NOW - Math.floor(random() * 60_000),
    guest: random() < 0.1,
  }));
}

const times: number[] = [];
let paired = 0;
for (let run = 0; run < runs + 2; run++) {
  const seekers = pool(players, run + 1);
  const started = process.hrtime.bigint();
  const pairs = pairSeekers(seekers, NOW);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // The first two runs warm the JIT up and are not counted.
  if (run >= 2) {
    times.push(ms);
    paired += pairs.length * 2;
  }
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
const result = {
  bench: "pairing-wave",
  players,
  runs,
  medianMs: Number(median.toFixed(2)),
  minMs: Number(times[0]!.toFixed(2)),
  maxMs: Number(times[times.length - 1]!.toFixed(2)),
  pairedShare: Number((paired / (players * runs)).toFixed(3)),
};
console.log(JSON.stringify(result));
