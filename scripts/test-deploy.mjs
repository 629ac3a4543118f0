#!/usr/bin/env node
// `npm run test:deploy`: the image, the compose stack and the Kubernetes manifests, each run here
// with Podman as an operator would run them (the commands of deploy/README-section.md), on
// stand-ins for the public base images since no registry is reachable. Every container, pod,
// volume, network and process it starts is removed whatever happens; images stay, as a cache.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEPLOY_PACKAGES,
  ensureDebianPackages,
  freePort,
  lines,
  podmanEnv,
  podmanIn,
  run,
  runAsync,
  runShown,
  startPodmanService,
  stopGracefully,
  until,
} from "./deploy-podman.mjs";
import { ensureFerretdbImage, ensureStandins, IMAGES } from "./deploy-standins.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);
if (!existsSync(join(root, "node_modules", "socket.io-client"))) {
  console.log("node_modules/ lacks socket.io-client: run `npm ci` first");
  process.exit(1);
}
const { playThroughKill, connectPlayer } = await import("./deploy-game.mjs");
const { kubePlay, validateManifests } = await import("./deploy-kube.mjs");

const VERSION = JSON.parse(readFileSync("package.json", "utf8")).version;
const IMAGE = `localhost/chess-server:${VERSION}`;
const PROJECT = "chessdeploytest"; // not the README's default, so a stack of one's own survives
const SHUTDOWN_TIMEOUT_MS = 10_000; // deploy/compose.yaml and deploy/kubernetes/configmap.yaml

const tmp = mkdtempSync(join(tmpdir(), "chess-deploy-"));
const env = podmanEnv(tmp);
const timings = [];
let passed = 0;

async function step(name, fn) {
  console.log(`▶ ${name}`);
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  try {
    const result = await fn();
    timings.push([name, seconds()]);
    passed++;
    console.log(`✓ ${name} (${seconds().toFixed(1)} s)`);
    return result;
  } catch (err) {
    timings.push([`${name} (failed)`, seconds()]);
    console.error(`✗ ${name}`);
    throw err;
  }
}

const podman = podmanIn(env);

/** Names of this test's running containers with that label. */
const containersWith = (label) =>
  lines(podman(["ps", "--filter", `label=${label}`, "--format", "{{.Names}}"]).stdout).sort();

/** An HTTP GET from inside a container, on its own instance: the status, or 0. */
function statusInside(container, path) {
  const js = `fetch('http://127.0.0.1:3000${path}').then(r=>console.log(r.status),()=>console.log(0))`;
  return Number(
    podman(["exec", container, "node", "-e", js], { allowFail: true }).stdout.trim() || 0,
  );
}

// ---- cleanup: safe to run at any point, and before starting (leftovers of a killed run) ----

let service = null;
const playFile = join(tmp, "play.yaml");
const hostNetContainers = [`${PROJECT}-redis`, `${PROJECT}-ferretdb`];

function removeEverything() {
  if (existsSync(playFile)) podman(["kube", "down", playFile], { allowFail: true });
  const pods = lines(
    podman(["pod", "ps", "-q", "--filter", "name=^chess-server-pod-"], { allowFail: true }).stdout,
  );
  if (pods.length > 0) podman(["pod", "rm", "-f", ...pods], { allowFail: true });
  // -v: with the anonymous volume that FerretDB's image declares.
  podman(["rm", "-f", "-v", "--ignore", ...hostNetContainers], { allowFail: true });
  const label = `label=com.docker.compose.project=${PROJECT}`;
  const ctrs = lines(podman(["ps", "-aq", "--filter", label], { allowFail: true }).stdout);
  if (ctrs.length > 0) podman(["rm", "-f", "-v", ...ctrs], { allowFail: true });
  const vols = lines(podman(["volume", "ls", "-q", "--filter", label], { allowFail: true }).stdout);
  if (vols.length > 0) podman(["volume", "rm", "-f", ...vols], { allowFail: true });
  podman(["network", "rm", "-f", `${PROJECT}_default`], { allowFail: true, quiet: true });
}

let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    if (service !== null) {
      // The README's own way down first; the podman commands after it catch what it missed.
      run(
        "docker-compose",
        ["-f", "deploy/compose.yaml", "down", "-v", "--remove-orphans", "-t", "15"],
        {
          env: composeEnv(),
          allowFail: true,
        },
      );
    }
    removeEverything();
    if (service !== null) await service.stop();
    rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    console.log(`${signal}: cleaning up…`);
    void cleanup().then(() => process.exit(130));
  });
}

let chessPort = 0;
function composeEnv() {
  return {
    ...env,
    DOCKER_HOST: service.dockerHost,
    COMPOSE_PROJECT_NAME: PROJECT,
    CHESS_PORT: String(chessPort),
    CHESS_IMAGE: IMAGE,
    MONGO_IMAGE: IMAGES.ferretdb,
    // Whatever the caller's shell says: the game must pass the limits behind nginx.
    RATE_LIMITS: "on",
  };
}
const compose = (args) =>
  run("docker-compose", ["-f", "deploy/compose.yaml", ...args], { env: composeEnv() });

// ---- the steps ----

async function buildImage() {
  // The README's command, unchanged: the stand-ins carry the public names, so nothing is pulled.
  runShown("podman", ["build", "--format", "docker", "-t", IMAGE, "-f", "Containerfile", "."], {
    env,
  });
  const inspect = (image, fmt) =>
    podman(["image", "inspect", "--format", fmt, image]).stdout.trim();
  assert.equal(inspect(IMAGE, "{{.Config.User}}"), "node", "runs as the non-root user node");
  assert.match(
    inspect(IMAGE, "{{json .Config.Healthcheck}}"),
    /healthz/,
    "HEALTHCHECK on /healthz",
  );
  // Production dependencies and the built files only; the Lua scripts and client at run-time paths.
  const probe = [
    "test ! -e node_modules/typescript && test ! -e node_modules/vite",
    "test ! -e node_modules/socket.io-client && test ! -e test && test ! -e node_modules/.cache",
    "test -f dist/src/main.js && ls src/store/lua/*.lua >/dev/null && test -f src/web/dist/index.html",
    "test ! -w /app/dist/src/main.js && test $(id -u) != 0",
  ].join(" && ");
  podman(["run", "--rm", "--entrypoint", "sh", IMAGE, "-c", probe]);
  const size = Number(inspect(IMAGE, "{{.Size}}"));
  const base = Number(inspect(IMAGES.node, "{{.Size}}"));
  return { size, base };
}

async function startCompose() {
  chessPort = await freePort();
  service = await startPodmanService(env, tmp);
  compose(["up", "-d", "--scale", "chess=2"]);
  const base = `http://127.0.0.1:${chessPort}`;
  await until(
    async () => (await fetch(`${base}/readyz`)).status === 200,
    "/readyz through nginx",
    60_000,
  );
  const instances = containersWith(`com.docker.compose.service=chess`).filter((n) =>
    n.startsWith(PROJECT),
  );
  assert.equal(instances.length, 2, `two instances: ${instances.join(", ")}`);
  const [redis] = containersWith(`com.docker.compose.service=redis`).filter((n) =>
    n.startsWith(PROJECT),
  );
  const aof = podman(["exec", redis, "redis-cli", "CONFIG", "GET", "appendonly"]).stdout;
  assert.match(aof, /appendonly\s+yes/, "Redis runs with AOF on");
  for (const name of instances) {
    await until(async () => statusInside(name, "/readyz") === 200, `${name} ready`, 30_000);
    // The image's own HEALTHCHECK, run as the engine runs it.
    podman(["healthcheck", "run", name]);
  }
  // The browser client, served by the instances through nginx.
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  const html = await page.text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, "index.html names its script");
  assert.equal((await fetch(`${base}${script}`)).status, 200, `${script} is served`);
  return { base, instances };
}

/** Established connections to port 3000 inside a container: the sockets nginx holds there. */
function socketsHeld(container) {
  const tables = podman(["exec", container, "cat", "/proc/net/tcp", "/proc/net/tcp6"]).stdout;
  // Columns: sl, local address:port (hex), remote, state (01 = ESTABLISHED).
  return lines(tables).filter((l) => {
    const [, local, , state] = l.split(/\s+/);
    return local?.endsWith(":0BB8") && state === "01";
  }).length;
}

async function gameThroughKill({ base, instances }) {
  let victim;
  let survivor;
  const { finished, lostSockets } = await playThroughKill(base, async () => {
    // The instance that holds a player's socket: round robin gave each one player, unless nginx
    // was still skipping one that had refused a request before it was ready.
    const held = instances.map((name) => [name, socketsHeld(name)]).sort((a, b) => b[1] - a[1]);
    [victim, survivor] = held.map(([name]) => name);
    assert.ok(held[0][1] > 0, `an instance holds a player's socket: ${JSON.stringify(held)}`);
    await runAsync("podman", ["kill", "--signal", "KILL", victim], { env });
  });
  const state = podman(["inspect", "--format", "{{.State.Status}}", victim]).stdout.trim();
  assert.notEqual(state, "running", "the killed instance stayed down while the game went on");
  // The survivor's archiver takes the finished game to the stack's MongoDB (FerretDB here).
  const js = `import("mongodb").then(async ({ MongoClient }) => {
    const client = new MongoClient(process.env.MONGO_URL);
    console.log(await client.db().collection("games").countDocuments({ _id: ${JSON.stringify(finished.id)} }));
    await client.close();
  })`;
  await until(
    async () =>
      podman(["exec", survivor, "node", "-e", js], { allowFail: true }).stdout.trim() === "1",
    "the game in MongoDB",
    20_000,
  );
  return { gameId: finished.id, lostSockets, survivor };
}

async function gracefulStop({ base, survivor }) {
  const watcher = connectPlayer(base);
  await watcher.next("client/RESUME_SESSION");
  const ms = await stopGracefully(env, survivor, SHUTDOWN_TIMEOUT_MS);
  await until(async () => watcher.disconnects > 0, "the instance to close its sockets", 5_000);
  watcher.close();
  compose(["down", "-v"]);
  assert.deepEqual(
    containersWith(`com.docker.compose.project=${PROJECT}`),
    [],
    "compose down left containers",
  );
  return ms;
}

// ---- the run ----

const total = Date.now();
let failure = null;
try {
  await step("install Podman, runc, debootstrap, docker-compose (when missing)", () =>
    ensureDebianPackages(DEPLOY_PACKAGES),
  );
  removeEverything();
  await step("stand-in base images (debootstrap once, cached)", () => ensureStandins(env));
  await step("FerretDB image (tools/ferretdb)", () => ensureFerretdbImage(env, root));
  const { size, base } = await step("build the image (Containerfile)", buildImage);
  const stack = await step("compose up: 2 instances, nginx, Redis (AOF), FerretDB", startCompose);
  const game = await step("a game through nginx, one instance killed mid-game", () =>
    gameThroughKill(stack),
  );
  const stopMs = await step("SIGTERM: graceful stop, then compose down", () =>
    gracefulStop({ ...stack, ...game }),
  );
  const manifests = await step("validate the Kubernetes manifests strictly (k8s.io/api)", () =>
    validateManifests(root),
  );
  await step("podman kube play: the Deployment, 2 replicas on the host network", () =>
    kubePlay({
      env,
      root,
      manifests,
      playFile,
      stores: hostNetContainers,
      shutdownMs: SHUTDOWN_TIMEOUT_MS,
    }),
  );
  const mb = (n) => `${(n / 1e6).toFixed(0)} MB`;
  console.log(`image ${IMAGE}: ${mb(size)} (${mb(size - base)} over its node:20-slim base)`);
  console.log(
    `game ${game.gameId}: ${game.lostSockets} player(s) lost their instance and played on`,
  );
  console.log(`graceful stop of an instance with a client connected: ${stopMs} ms`);
} catch (err) {
  failure = err;
  console.error(`✗ ${err instanceof Error ? (err.stack ?? err.message) : err}`);
} finally {
  await step("clean up", cleanup).catch((err) => {
    failure ??= err;
    console.error(`cleanup failed: ${err}`);
  });
}
console.log("\nstep timings:");
for (const [name, s] of timings) console.log(`  ${s.toFixed(1).padStart(6)} s  ${name}`);
console.log(`  ${((Date.now() - total) / 1000).toFixed(1).padStart(6)} s  in all`);
console.log(`deploy: ${passed} passed, ${failure === null ? 0 : 1} failed`);
process.exit(failure === null ? 0 : 1);
