// Server instances for tests: in-process (fast, inspectable) or as child processes (killable).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { testConfig } from "./env.js";
import { startInstance, type Instance } from "../../src/instance.js";
import { createLogger } from "../../src/log.js";
import { freeStablePort, waitForPort } from "../../scripts/lib/services.js";

export async function startInProcess(env: Record<string, string>): Promise<Instance> {
  const config = testConfig(env);
  return startInstance(config, createLogger(config.LOG_LEVEL));
}

/** `count` in-process instances sharing one configuration (one cluster). */
export async function startMany(env: Record<string, string>, count: number): Promise<Instance[]> {
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) instances.push(await startInProcess(env));
  return instances;
}

/** Like startMany, closed when the test ends. */
export async function clusterFor(
  t: { after: (fn: () => Promise<void>) => void },
  env: Record<string, string>,
  count: number,
): Promise<Instance[]> {
  const instances = await startMany(env, count);
  t.after(async () => {
    for (const i of instances) await i.close();
  });
  return instances;
}

const MAIN = fileURLToPath(new URL("../../src/main.js", import.meta.url));
const CLUSTER_MAIN = fileURLToPath(new URL("./cluster-main.js", import.meta.url));

export interface ChildInstance {
  url: string;
  port: number;
  process: ChildProcess;
  /** SIGKILL: the instance dies with no chance to clean up. */
  kill: () => Promise<void>;
  /** SIGTERM: graceful shutdown. */
  stop: () => Promise<void>;
}

export async function spawnInstance(
  env: Record<string, string>,
  port?: number,
): Promise<ChildInstance> {
  const chosen = port ?? (await freeStablePort());
  // INSTANCE_NODE_ARGS: extra node flags for child instances, e.g. "--cpu-prof" when profiling.
  const nodeArgs = process.env.INSTANCE_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const main = env.REDIS_CLUSTER_NODES ? CLUSTER_MAIN : MAIN;
  // INSTANCE_LOG: a file that the child instances' logs (their stdout) are appended to.
  const log = process.env.INSTANCE_LOG ? openSync(process.env.INSTANCE_LOG, "a") : "ignore";
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: { ...process.env, ...env, PORT: String(chosen) },
    stdio: ["ignore", log, "inherit"],
  });
  if (typeof log === "number") closeSync(log);
  await waitForPort(chosen, 20_000, child);
  const ended = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await ended;
  };
  return {
    url: `http://127.0.0.1:${chosen}`,
    port: chosen,
    process: child,
    kill: () => signal("SIGKILL"),
    stop: () => signal("SIGTERM"),
  };
}
