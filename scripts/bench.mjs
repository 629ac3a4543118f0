#!/usr/bin/env node
// `npm run bench`: build, then run every benchmark in turn (each starts the services it needs).
// Pass names to run only some: `npm run bench -- moves pairing`. `--quick`: the lifecycle bench
// alone, short (200 games, 8 s against the server's two instances, then 8 s against the bare
// relay), which ends with the table of both and their ratios in well under two minutes.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);
if (spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" }).status !== 0)
  process.exit(1);
const quick = process.argv.includes("--quick");
const wanted = quick ? ["lifecycle"] : process.argv.slice(2);
const quickEnv = quick ? { GAMES: "200", INSTANCES: "2", DURATION_S: "8", WARMUP_S: "2" } : {};
const all = readdirSync("bench")
  // chaos.ts is a fault test with its own command (`npm run chaos`), not a benchmark.
  .filter((f) => f.endsWith(".ts") && f !== "chaos.ts")
  .map((f) => f.replace(/\.ts$/, ""));
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  const file = `dist/bench/${name}.js`;
  if (!existsSync(file)) {
    console.log(`no benchmark named ${name}`);
    failed++;
    continue;
  }
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, [file], {
    stdio: "inherit",
    env: { ...quickEnv, ...process.env, LOG_LEVEL: "silent" },
  });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
