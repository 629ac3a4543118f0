// Podman for `npm run test:deploy`: the Debian packages it needs, the containers.conf under which
// it runs on these machines, and the Docker-compatible API socket that docker-compose talks to.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Installs the Debian packages whose command (or path) is missing. */
export function ensureDebianPackages(wanted) {
  const have = (cmd) =>
    existsSync(cmd) || spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
  const missing = Object.entries(wanted).filter(([cmd]) => !have(cmd));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))];
  console.log(`installing ${pkgs.join(", ")} from Debian's packages…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args) => spawnSync("apt-get", args, { stdio: "inherit", env }).status === 0;
  if (!apt(["update", "-qq"])) throw new Error("apt-get update failed");
  if (!apt(["install", "-y", "-qq", "--no-install-recommends", ...pkgs]))
    throw new Error(`apt-get install ${pkgs.join(" ")} failed`);
}

/** What the test installs: Podman with runc and netavark (its DNS gives compose service names). */
export const DEPLOY_PACKAGES = {
  podman: "podman",
  runc: "runc",
  "/usr/lib/podman/netavark": "netavark",
  "/usr/lib/podman/aardvark-dns": "aardvark-dns",
  iptables: "iptables",
  // The pause process of the pods that `podman kube play` makes.
  catatonit: "catatonit",
  debootstrap: "debootstrap",
  "docker-compose": "docker-compose",
};

/** The machine's Go (Debian's golang-go is too old for k8s.io/api, which needs 1.26). */
export function goBinary() {
  if (spawnSync("sh", ["-c", "command -v go"]).status === 0) return "go";
  if (existsSync("/usr/local/go/bin/go")) return "/usr/local/go/bin/go";
  throw new Error("Go 1.26 or later is needed for FerretDB and the manifest validator");
}

/**
 * Writes the containers.conf that Podman needs here, passed with CONTAINERS_CONF so that nothing
 * under /etc changes: crun fails on setrlimit(RLIMIT_NOFILE) and on the VM's hybrid cgroups, and
 * there is no systemd for its cgroup manager or its journal.
 */
export function podmanEnv(dir) {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, "containers.conf");
  writeFileSync(
    conf,
    [
      "[containers]",
      'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
      "[engine]",
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      "[network]",
      'network_backend = "netavark"',
      "",
    ].join("\n"),
  );
  return { ...process.env, CONTAINERS_CONF: conf };
}

/** Runs a command to its end; throws with its output when it fails (unless `allowFail`). */
export function run(cmd, args, { env, cwd, allowFail = false, quiet = false, input } = {}) {
  const r = spawnSync(cmd, args, {
    env,
    cwd,
    input,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (!quiet && r.stdout.trim() !== "" && r.status !== 0) process.stdout.write(r.stdout);
  if (r.status !== 0 && !allowFail) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  }
  return r;
}

/**
 * Like run, without blocking the event loop: for commands run while this process's own socket.io
 * clients must go on answering (an instance that stops waits for their WebSocket close replies).
 */
export function runAsync(cmd, args, { env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("close", (status) => {
      if (status === 0) resolve({ status, stdout, stderr });
      else reject(new Error(`${cmd} ${args.join(" ")} failed (${status}):\n${stderr}`));
    });
  });
}

/** Like run, with the output shown as it comes (long builds). */
export function runShown(cmd, args, { env, cwd } = {}) {
  const r = spawnSync(cmd, args, { env, cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal})`);
}

/**
 * `podman system service` on a socket of its own: the Docker API that docker-compose 1.29 drives
 * (Debian's podman-compose 1.0.3 breaks on this machine). Returns DOCKER_HOST and a stopper.
 */
export async function startPodmanService(env, dir) {
  const socket = join(dir, "podman.sock");
  // Its log goes to a file: it complains of every HEALTHCHECK that it cannot give to systemd.
  const log = openSync(join(dir, "podman-service.log"), "a");
  const child = spawn("podman", ["system", "service", "--time=0", `unix://${socket}`], {
    env,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const dockerHost = `unix://${socket}`;
  for (let i = 0; i < 100 && !existsSync(socket); i++) {
    if (child.exitCode !== null) throw new Error("podman system service exited");
    await sleep(100);
  }
  if (!existsSync(socket)) throw new Error("podman system service did not open its socket");
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return { dockerHost, stop };
}

/** `podman …` under the test's containers.conf. */
export const podmanIn =
  (env) =>
  (args, opts = {}) =>
    run("podman", args, { env, ...opts });

export const lines = (s) =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it gives a truthy value (an exception counts as not yet). */
export async function until(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

/** SIGTERM through `podman stop`: the instance must exit 0 well within `shutdownMs`. */
export async function stopGracefully(env, container, shutdownMs) {
  const podman = podmanIn(env);
  const started = Date.now();
  // Not run(): this process's clients must answer the instance's WebSocket close frames meanwhile.
  await runAsync("podman", ["stop", "--time", String(shutdownMs / 1000 + 5), container], { env });
  const ms = Date.now() - started;
  const code = podman(["inspect", "--format", "{{.State.ExitCode}}", container]).stdout.trim();
  if (code !== "0") {
    const log = podman(["logs", "--tail", "15", container], { allowFail: true });
    throw new Error(
      `${container} exited ${code} on SIGTERM; its last lines:\n${log.stdout}${log.stderr}`,
    );
  }
  if (ms >= shutdownMs) throw new Error(`${container} took ${ms} ms to stop`);
  return ms;
}
