#!/usr/bin/env node
// `npm test`: build, start throwaway Redis and FerretDB on free ports, run every test against them,
// stop them whatever happens, and close with the plain line `N passed, N failed`.
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
const { startRedis, startFerretdb, ensureFerretdb, ensureDebianPackages } =
  await import("../dist/scripts/lib/services.js");
ensureDebianPackages({
  "redis-server": "redis-server",
  "/usr/bin/chromium": "chromium",
  nginx: "nginx",
});
ensureFerretdb();

const only = process.argv.slice(2).filter((a) => a !== "--no-build");
const layers =
  only.length > 0 ? only : ["dist/test/unit", "dist/test/integration", "dist/test/e2e"];
const files = layers.flatMap((l) =>
  l.endsWith(".js") ? [l] : existsSync(l) ? findTests(join(root, l)) : [],
);

const redis = await startRedis();
const ferret = await startFerretdb();
const tap = join(mkdtempSync(join(tmpdir(), "chess-test-")), "report.tap");
let code;
try {
  const args = [
    "--test",
    "--test-concurrency=1",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
  ];
  args.push("--test-reporter=tap", `--test-reporter-destination=${tap}`, ...files);
  const child = spawn(process.execPath, args, {
    stdio: "inherit",
    env: {
      ...process.env,
      TEST_REDIS_URL: redis.url,
      TEST_MONGO_URL: ferret.url,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    },
  });
  code = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
} finally {
  await Promise.allSettled([redis.stop(), ferret.stop()]);
}

const report = readFileSync(tap, "utf8");
const count = (name) => Number(report.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1] ?? 0);
rmSync(join(tap, ".."), { recursive: true, force: true });
const passed = count("pass");
const failed = count("fail") + count("cancelled");
console.log(`${passed} passed, ${failed} failed`);
process.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);
