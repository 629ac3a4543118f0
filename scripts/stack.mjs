#!/usr/bin/env node
// `npm start`: the whole local stack with one command. Redis (AOF on) and FerretDB keep their data
// under ./.data, INSTANCES instances (default 2) run behind nginx on PORT (default 8080).
// Ctrl-C stops everything; running it again keeps the data.
// `npm start -- --redis sentinel`: Redis as a primary, a replica and three sentinels instead (the
// instances find the primary through the sentinels and follow it through a failover).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const redisArg = process.argv.indexOf("--redis");
const topology = redisArg === -1 ? "single" : process.argv[redisArg + 1];
if (topology !== "single" && topology !== "sentinel") {
  console.error(
    `--redis ${topology ?? ""}: expected "single" (the default) or "sentinel" (Redis Cluster is not supported yet)`,
  );
  process.exit(2);
}
process.chdir(root);
const build = spawnSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
if (build.status !== 0) process.exit(1);

const {
  startRedis,
  startSentinelGroup,
  startFerretdb,
  startNginx,
  freePort,
  waitForPort,
  NGINX_TRUST_PROXY,
} = await import("../dist/scripts/lib/services.js");
const data = join(root, ".data");
const instances = Number(process.env.INSTANCES ?? 2);
const port = Number(process.env.PORT ?? 8080);
mkdirSync(data, { recursive: true });

const services = [];
const children = [];
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  console.log("stopping…");
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(
    children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once("exit", r)))),
  );
  for (const service of services.reverse()) await service.stop();
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

try {
  let redisEnv;
  let redisWhere;
  if (topology === "sentinel") {
    const group = await startSentinelGroup({ dir: join(data, "sentinel"), appendOnly: true });
    services.push(group);
    redisEnv = group.env;
    redisWhere = `Redis primary on ${group.nodes[0].port}, replica on ${group.nodes[1].port}, sentinels on ${group.sentinels.map((s) => s.port).join(", ")}`;
  } else {
    const redis = await startRedis({
      port: Number(process.env.REDIS_PORT ?? 6380),
      dir: join(data, "redis"),
      appendOnly: true,
    });
    services.push(redis);
    redisEnv = { REDIS_URL: redis.url };
    redisWhere = `Redis on ${redis.port}`;
  }
  const ferret = await startFerretdb({
    port: Number(process.env.MONGO_PORT ?? 27018),
    dir: join(data, "ferretdb"),
  });
  services.push(ferret);
  const ports = [];
  for (let i = 0; i < instances; i++) {
    const p = await freePort();
    const child = spawn(process.execPath, ["dist/src/main.js"], {
      stdio: "inherit",
      env: {
        ...process.env,
        PORT: String(p),
        ...redisEnv,
        MONGO_URL: `${ferret.url}/chess`,
        // Clients reach the instances through nginx alone: its X-Forwarded-For names them.
        TRUST_PROXY: NGINX_TRUST_PROXY,
      },
    });
    child.once("exit", (code) => {
      if (!stopping) console.log(`instance on port ${p} exited (${code})`);
    });
    children.push(child);
    await waitForPort(p, 20_000, child);
    ports.push(p);
  }
  services.push(await startNginx(port, ports, join(data, "nginx")));
  console.log(
    `${instances} instances on ports ${ports.join(", ")}, ${redisWhere}, FerretDB on ${ferret.port}`,
  );
  console.log(`open http://127.0.0.1:${port}`);
} catch (err) {
  console.error(`failed to start the stack: ${err instanceof Error ? err.message : err}`);
  await stopAll(1);
}
