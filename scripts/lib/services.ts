// Starts the real services the project needs (Redis, FerretDB, nginx) as child processes on ports
// of their own, for the test command, the local stack and tests that kill or restart a service.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, connect } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url)).replace(/dist\/?$/, "");
const FERRETDB_SRC = join(ROOT, "tools", "ferretdb");

export interface Service {
  name: string;
  port: number;
  url: string;
  process: ChildProcess;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A free port below the kernel's ephemeral range (32768 and up), for a service that a test stops
 * and starts again on the same port: while it is down, its clients keep reconnecting, and a connect
 * to a port in the ephemeral range can be given that very port as its local one (a TCP
 * self-connection), which then holds the port against the restart.
 */
export async function freeStablePort(): Promise<number> {
  return freePortIn(20_000, 32_000);
}

/**
 * A free port for a Cluster node, whose bus listens on the port + 10000: both free, both below
 * the ephemeral range.
 */
async function freeClusterPort(): Promise<number> {
  return freePortIn(20_000, 22_700, 10_000);
}

async function freePortIn(from: number, to: number, busOffset?: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (!(await portIsFree(port))) continue;
    if (busOffset === undefined || (await portIsFree(port + busOffset))) return port;
  }
  throw new Error("no free port found below the ephemeral range");
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until something accepts TCP connections on the port. */
export async function waitForPort(
  port: number,
  timeoutMs = 60_000,
  child?: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}

function stopper(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM") {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill(signal);
    });
}

function which(cmd: string): string | null {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Installs Debian packages that are missing (the machines run as root). */
export function ensureDebianPackages(wanted: Record<string, string>): void {
  const missing = Object.entries(wanted).filter(([bin]) => !which(bin) && !existsSync(bin));
  if (missing.length === 0) return;
  const pkgs = missing.map(([, pkg]) => pkg);
  console.log(`installing ${pkgs.join(", ")} from Debian's packages…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  if (update.status !== 0) throw new Error("apt-get update failed");
  const install = spawnSync(
    "apt-get",
    ["install", "-y", "-qq", "--no-install-recommends", ...pkgs],
    {
      stdio: "inherit",
      env,
    },
  );
  if (install.status !== 0) throw new Error(`apt-get install ${pkgs.join(" ")} failed`);
}

export interface RedisOptions {
  port?: number;
  dir?: string;
  appendOnly?: boolean;
  /** Start as a replica of this primary's port. */
  replicaOf?: number;
  /** More `redis-server` arguments (a Cluster node's). */
  args?: string[];
}

/** A Debian `redis-server` (a data node or a sentinel) with these arguments, once it listens. */
async function spawnRedisServer(name: string, port: number, args: string[]): Promise<Service> {
  const child = spawn("redis-server", args, { stdio: ["ignore", "ignore", "inherit"] });
  await waitForPort(port, 15_000, child);
  return { name, port, url: `redis://127.0.0.1:${port}`, process: child, stop: stopper(child) };
}

export async function startRedis(opts: RedisOptions = {}): Promise<Service> {
  ensureDebianPackages({ "redis-server": "redis-server" });
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "chess-redis-"));
  mkdirSync(dir, { recursive: true });
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
  args.push("--appendonly", opts.appendOnly ? "yes" : "no", "--logfile", "");
  if (opts.replicaOf !== undefined) args.push("--replicaof", "127.0.0.1", String(opts.replicaOf));
  const server = await spawnRedisServer("redis", port, [...args, ...(opts.args ?? [])]);
  return {
    ...server,
    stop: async () => {
      await server.stop();
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asks a running redis-server with redis-cli (Debian's redis-tools, a dependency of redis-server). */
export function redisCli(port: number, ...args: string[]): string {
  const r = spawnSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8" });
  return r.status === 0 ? r.stdout : "";
}

/** Waits until the primary on `port` has `count` replicas online and in sync. */
async function waitForReplicas(port: number, count: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = redisCli(port, "info", "replication");
    const online = info.match(/^slave\d+:.*state=online/gm)?.length ?? 0;
    if (online >= count) return;
    await sleep(100);
  }
  throw new Error(`the primary on ${port} has not got ${count} replicas in sync`);
}

/** The name the sentinels of `startSentinelGroup` monitor. */
export const SENTINEL_MASTER = "chess";

export interface SentinelGroup {
  /** The data nodes: the first started as the primary, the others as its replicas. */
  nodes: Service[];
  sentinels: Service[];
  /** What an instance is given to use this group (REDIS_SENTINELS, REDIS_SENTINEL_MASTER). */
  env: { REDIS_SENTINELS: string; REDIS_SENTINEL_MASTER: string };
  /** Starts a killed data node again on its port and data (the sentinels make it a replica). */
  restart: (node: Service) => Promise<Service>;
  stop: () => Promise<void>;
}

export interface SentinelOptions {
  replicas?: number;
  dir?: string;
  appendOnly?: boolean;
  /** A primary unanswered this long is down for a sentinel (Redis's default is 30 s). */
  downAfterMs?: number;
}

/**
 * A primary with replicas and three sentinels (quorum two), each a Debian `redis-server`, on ports
 * below the ephemeral range (nodes are killed and restarted on their ports). Failover is quick:
 * the primary is down after `downAfterMs`, and a failed failover is retried after 5 s.
 */
export async function startSentinelGroup(opts: SentinelOptions = {}): Promise<SentinelGroup> {
  ensureDebianPackages({ "redis-server": "redis-server" });
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "chess-sentinel-"));
  const nodes: Service[] = [];
  const sentinels: Service[] = [];
  const startNode = async (index: number, port: number, replicaOf?: number) => {
    const nodeDir = join(dir, `node-${index}`);
    return startRedis({ port, dir: nodeDir, appendOnly: opts.appendOnly ?? true, replicaOf });
  };
  try {
    const primaryPort = await freeStablePort();
    nodes.push(await startNode(0, primaryPort));
    for (let i = 1; i <= (opts.replicas ?? 1); i++) {
      nodes.push(await startNode(i, await freeStablePort(), primaryPort));
    }
    await waitForReplicas(primaryPort, nodes.length - 1);
    for (let i = 0; i < 3; i++) {
      const port = await freeStablePort();
      const conf = join(dir, `sentinel-${i}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} ${opts.downAfterMs ?? 1_000}`,
          `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
          "",
        ].join("\n"),
      );
      sentinels.push(
        await spawnRedisServer("sentinel", port, [conf, "--sentinel", "--logfile", ""]),
      );
    }
  } catch (err) {
    await Promise.allSettled([...sentinels, ...nodes].map((s) => s.stop()));
    throw err;
  }
  const env = {
    REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(","),
    REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
  };
  return {
    nodes,
    sentinels,
    env,
    restart: async (node) => {
      const index = nodes.indexOf(node);
      const again = await startNode(index, node.port);
      nodes[index] = again;
      return again;
    },
    stop: async () => {
      await Promise.allSettled([...sentinels, ...nodes].map((s) => s.stop()));
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  /** The data nodes: `masters` masters first (in slot order), then one replica of each. */
  nodes: Service[];
  /** What an instance is given to use this cluster (REDIS_CLUSTER_NODES: every master as a seed). */
  env: { REDIS_CLUSTER_NODES: string };
  /** The port of the master that serves `slot` now (asked of any live node). */
  masterOf: (slot: number) => number;
  /** Waits until every live node says the cluster is whole (`cluster_state:ok`). */
  settled: (timeoutMs?: number) => Promise<void>;
  /** Starts a stopped node again on its port and data: it rejoins (a replica, when it was failed over). */
  restart: (node: Service) => Promise<Service>;
  stop: () => Promise<void>;
}

export interface ClusterOptions {
  masters?: number;
  /** Replicas per master (0: no failover). */
  replicas?: number;
  dir?: string;
  appendOnly?: boolean;
  /** A master unanswered this long is failing for the others (Redis's default is 15 s). */
  nodeTimeoutMs?: number;
}

/**
 * A Redis Cluster of Debian `redis-server`s (three masters and a replica each by default), made
 * with `redis-cli --cluster create`, on ports below the ephemeral range. Failover is quick: a
 * master unanswered for `nodeTimeoutMs` is replaced by its replica.
 */
export async function startRedisCluster(opts: ClusterOptions = {}): Promise<RedisCluster> {
  ensureDebianPackages({ "redis-server": "redis-server" });
  const masters = opts.masters ?? 3;
  const replicas = opts.replicas ?? 1;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "chess-cluster-"));
  const nodes: Service[] = [];
  const live = () => nodes.filter((n) => n.process.exitCode === null && !n.process.signalCode);
  const clusterInfo = (port: number) => redisCli(port, "cluster", "info");
  const settled = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (live().every((n) => clusterInfo(n.port).includes("cluster_state:ok"))) return;
      await sleep(100);
    }
    throw new Error(`the cluster is not whole after ${timeoutMs} ms`);
  };
  const startNode = (i: number, port: number) => {
    const cluster = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"];
    cluster.push("--cluster-node-timeout", String(opts.nodeTimeoutMs ?? 2_000));
    const appendOnly = opts.appendOnly ?? false;
    return startRedis({ port, dir: join(dir, `node-${i}`), appendOnly, args: cluster });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      nodes.push(await startNode(i, await freeClusterPort()));
    }
    const create = spawnSync(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        "--cluster-replicas",
        String(replicas),
        "--cluster-yes",
      ],
      { encoding: "utf8" },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create: ${create.stdout}${create.stderr}`);
    await settled();
    // Each master's replica has synced: a failover right after the start keeps what was written.
    if (replicas > 0) {
      for (const n of nodes.slice(0, masters)) await waitForReplicas(n.port, replicas);
    }
  } catch (err) {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    throw err;
  }
  // CLUSTER NODES: "<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slots...>".
  const masterOf = (slot: number): number => {
    for (const n of live()) {
      for (const line of redisCli(n.port, "cluster", "nodes").split("\n")) {
        const [, address, flags, , , , , , ...ranges] = line.split(" ");
        if (!flags?.split(",").includes("master") || flags.includes("fail")) continue;
        const holds = ranges.some((range) => {
          const [from, to = from] = range.split("-").map(Number);
          return slot >= from! && slot <= to!;
        });
        if (holds) return Number(address!.split("@")[0]!.split(":")[1]);
      }
    }
    throw new Error(`no live master serves slot ${slot}`);
  };
  return {
    nodes,
    env: {
      REDIS_CLUSTER_NODES: nodes
        .slice(0, masters)
        .map((n) => `127.0.0.1:${n.port}`)
        .join(","),
    },
    masterOf,
    settled,
    restart: async (node) => {
      const index = nodes.indexOf(node);
      const again = await startNode(index, node.port);
      nodes[index] = again;
      return again;
    },
    stop: async () => {
      await Promise.allSettled(nodes.map((n) => n.stop()));
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function goBinary(): string {
  const go = which("go") ?? (existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : null);
  if (go === null) throw new Error("Go is needed to build FerretDB, and none was found");
  return go;
}

/** Builds the FerretDB wrapper once per source version into a cache outside the repo. */
export function ensureFerretdb(): string {
  const hash = createHash("sha256");
  for (const f of ["main.go", "go.mod", "go.sum"]) hash.update(readFileSync(join(FERRETDB_SRC, f)));
  const cacheRoot = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  const dir = join(cacheRoot, "chess-server", `ferretdb-${hash.digest("hex").slice(0, 16)}`);
  const bin = join(dir, "ferretdb");
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  console.log(
    "building FerretDB 1.24.2 from its Go module (first time only: one to a few minutes)…",
  );
  const started = Date.now();
  const tmp = `${bin}.tmp-${process.pid}`;
  const r = spawnSync(goBinary(), ["build", "-o", tmp, "."], {
    cwd: FERRETDB_SRC,
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error("building FerretDB failed");
  renameSync(tmp, bin);
  console.log(`FerretDB built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return bin;
}

export interface FerretOptions {
  port?: number;
  dir?: string;
}

export async function startFerretdb(opts: FerretOptions = {}): Promise<Service> {
  const bin = ensureFerretdb();
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "chess-ferretdb-"));
  mkdirSync(dir, { recursive: true });
  const child = spawn(bin, ["--listen", `127.0.0.1:${port}`, "--sqlite-dir", dir], {
    stdio: ["ignore", "ignore", process.env.FERRETDB_LOGS === "1" ? "inherit" : "ignore"],
  });
  await waitForPort(port, 30_000, child);
  const stop = stopper(child);
  return {
    name: "ferretdb",
    port,
    url: `mongodb://127.0.0.1:${port}`,
    process: child,
    stop: async () => {
      await stop();
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The TRUST_PROXY of instances behind `startNginx`: its address (it reaches the instances on
 * loopback from 127.0.0.1) and nothing else, so a client on another loopback address is a client.
 */
export const NGINX_TRUST_PROXY = "127.0.0.1";

/**
 * nginx as the load balancer: round robin over the instances, websockets upgraded. It is the edge,
 * so `X-Forwarded-For` is the peer it saw, replacing whatever the client sent: with the instances
 * trusting nginx alone (NGINX_TRUST_PROXY), that peer is the client for every per-address limit.
 */
export async function startNginx(port: number, upstreams: number[], dir: string): Promise<Service> {
  ensureDebianPackages({ nginx: "nginx" });
  mkdirSync(join(dir, "logs"), { recursive: true });
  // max_fails=0: a refused connection goes on to the next server at once (proxy_next_upstream),
  // and nginx keeps no count of failures. With max_fails=1 a server that failed once stays
  // "failed" until a request sent to it since has finished, and a websocket finishes only when it
  // closes: after an instance's restart it took one new socket per fail_timeout, and the chaos
  // run's reconnections met "no live upstreams" for minutes (docs/operations.md).
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join("\n");
  const conf = `worker_processes 1;
daemon off;
pid ${join(dir, "nginx.pid")};
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream chess {
${servers}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://chess;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host:$server_port;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 2s;
      proxy_read_timeout 1h;
    }
  }
}
`;
  const confPath = join(dir, "nginx.conf");
  writeFileSync(confPath, conf);
  const child = spawn("nginx", ["-p", dir, "-c", confPath, "-e", "stderr"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitForPort(port, 15_000, child);
  return {
    name: "nginx",
    port,
    url: `http://127.0.0.1:${port}`,
    process: child,
    stop: stopper(child, "SIGQUIT"),
  };
}
