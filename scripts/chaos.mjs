#!/usr/bin/env node
// `npm run chaos [-- --redis single|sentinel]`: build, then run bench/chaos.ts (its header says
// what it does). nginx's error log goes to stderr; its "no live upstreams" lines, one per refused
// reconnection while instances are down, are what the chaos makes on purpose: counted, not shown.
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

process.chdir(fileURLToPath(new URL("..", import.meta.url)));
if (spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" }).status !== 0)
  process.exit(1);
const child = spawn(process.execPath, ["dist/bench/chaos.js", ...process.argv.slice(2)], {
  stdio: ["ignore", "inherit", "pipe"],
});
let hidden = 0;
createInterface({ input: child.stderr }).on("line", (line) => {
  const noise =
    /\[(error|warn)\] .*(no live upstreams|connect\(\) failed|prematurely closed|temporarily disabled)/;
  if (noise.test(line)) hidden++;
  else process.stderr.write(`${line}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  if (hidden > 0) console.log(`(nginx logged ${hidden} refused or cut upstream connections)`);
  process.exit(code ?? (signal ? 1 : 0));
});
