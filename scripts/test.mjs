#!/usr/bin/env node
// `npm test`: build, start throwaway Redis and FerretDB on free ports, run every test against them,
// then the suites whose steps are single-slot once more on a throwaway 3-master Redis Cluster, stop
// them all whatever happens, and close with the plain line `N passed, N failed`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) {
    console.log(`${cmd} ${args.join(" ")} failed`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
}

function findTests(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(findTests(path));
    else if (name.endsWith(".test.js")) out.push(relative(root, path));
  }
  return out.sort();
}

// `--no-build`: run what dist/ already holds (for running a few files while others edit the tree).
const noBuild = process.argv.includes("--no-build");
if (!noBuild) {
  run("npx", ["tsc", "-p", "tsconfig.json"]);
  run("npm", ["run", "--silent", "build:web"]);
}
const { startRedis, startRedisCluster, startFerretdb, ensureFerretdb, ensureDebianPackages } =
  await import("../dist/scripts/lib/services.js");
ensureDebianPackages({
  "redis-server": "redis-server",
  "/usr/bin/chromium": "chromium",
  nginx: "nginx",
});
ensureFerretdb();

// `--redis cluster`: the given files (or the Cluster set) on a 3-master Redis Cluster only.
const argv = process.argv.slice(2).filter((a) => a !== "--no-build");
const topologyAt = argv.indexOf("--redis");
const topology = topologyAt === -1 ? "both" : argv.splice(topologyAt, 2)[1];
if (!["both", "single", "cluster"].includes(topology)) {
  console.log(`--redis ${topology}: expected single or cluster`);
  process.exit(2);
}
const only = argv;
const layers =
  only.length > 0 ? only : ["dist/test/unit", "dist/test/integration", "dist/test/e2e"];
const files = layers.flatMap((l) =>
  l.endsWith(".js") ? [l] : existsSync(l) ? findTests(join(root, l)) : [],
);
// The suites run once more on a Cluster: those of games, spectators, accounts, the archive and
// the instances' foundation and shutdown, whose every step is single-slot already. Not those that
// start games by matchmaking (`*-matchmaking.test.js`), whose steps still span slots
// (docs/architecture.md), nor the Redis-down tests, which stop their own single Redis.
const onCluster = (f) =>
  /\/(game|accounts|archive|foundation|watch|shutdown)-?[^/]*\.test\.js$/.test(f) &&
  !/(-matchmaking|redis-down)\.test\.js$/.test(f);
const clusterFiles =
  only.length > 0 ? files : findTests(join(root, "dist/test/integration")).filter(onCluster);

/** Runs `list` under node --test with `env`; returns [exit code, passed, failed]. */
async function runTests(list, env) {
  const tap = join(mkdtempSync(join(tmpdir(), "chess-test-")), "report.tap");
  const args = [
    "--test",
    "--test-concurrency=1",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
  ];
  args.push("--test-reporter=tap", `--test-reporter-destination=${tap}`, ...list);
  const child = spawn(process.execPath, args, {
    stdio: "inherit",
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent", ...env },
  });
  const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
  const report = existsSync(tap) ? readFileSync(tap, "utf8") : "";
  const count = (name) => Number(report.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1] ?? 0);
  rmSync(join(tap, ".."), { recursive: true, force: true });
  return [code, count("pass"), count("fail") + count("cancelled")];
}

const redis = await startRedis();
const ferret = await startFerretdb();
const services = { TEST_REDIS_URL: redis.url, TEST_MONGO_URL: ferret.url };
const results = [];
try {
  if (topology !== "cluster") {
    const started = Date.now();
    results.push([...(await runTests(files, services)), "one Redis", Date.now() - started]);
  }
  if (topology !== "single" && clusterFiles.length > 0) {
    const started = Date.now();
    const cluster = await startRedisCluster();
    try {
      console.log(`\n# the Cluster pass: ${clusterFiles.length} files on a 3-master Redis Cluster`);
      const env = { ...services, TEST_REDIS_CLUSTER_NODES: cluster.env.REDIS_CLUSTER_NODES };
      results.push([...(await runTests(clusterFiles, env)), "Redis Cluster", Date.now() - started]);
    } finally {
      await cluster.stop();
    }
  }
} finally {
  await Promise.allSettled([redis.stop(), ferret.stop()]);
}

let passed = 0;
let failed = 0;
let code = 0;
for (const [exit, pass, fail, where, ms] of results) {
  const seconds = Math.round(ms / 1000);
  console.log(`# on ${where}: ${pass} passed, ${fail} failed (${seconds} s with its setup)`);
  passed += pass;
  failed += fail;
  if (exit !== 0) code = exit;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);
