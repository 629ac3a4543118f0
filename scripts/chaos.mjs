#!/usr/bin/env node
// `npm run chaos [-- --redis single|sentinel]`: build, then run bench/chaos.ts (its header says
// what it does). nginx's error log goes to stderr; its "no live upstreams" lines, one per refused
// reconnection while instances are down, are what the chaos makes on purpose: counted by kind, not
// shown one by one.
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
const kinds = new Map();
createInterface({ input: child.stderr }).on("line", (line) => {
  const noise =
    /\[(error|warn)\] .*(no live upstreams|connect\(\) failed|prematurely closed|temporarily disabled)/;
  const m = noise.exec(line);
  if (m) {
    hidden++;
    // The message and the upstream, without the connection number, the client and the request.
    const k = line
      .replace(/^.*?\[(error|warn)\] \d+#\d+: (\*\d+ )?/, "")
      .replace(/, client.*upstream: "([^"]*?)\/socket.*$/, " $1")
      .slice(0, 120);
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  } else process.stderr.write(`${line}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 10))
    console.log(`  ${n} ${k}`);
  if (hidden > 0) console.log(`(nginx logged ${hidden} refused or cut upstream connections)`);
  process.exit(code ?? (signal ? 1 : 0));
});
