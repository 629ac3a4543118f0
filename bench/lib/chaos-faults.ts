// The faults of the chaos run: instances SIGKILLed and restarted on their own ports (one, and
// sometimes two at once, never all), and, under Sentinel, the Redis primary SIGKILLed once and
// brought back as a replica after the sentinels promoted another node.
import {
  freeStablePort,
  redisCli,
  sleep,
  SENTINEL_MASTER,
  type SentinelGroup,
} from "../../scripts/lib/services.js";
import { spawnInstance, type ChildInstance } from "../../test/helpers/instances.js";

/** Instances on fixed ports, so that a killed one comes back where nginx sends its share. */
export class Fleet {
  kills = 0;
  restarts = 0;
  readonly problems: string[] = [];
  private readonly running: (ChildInstance | null)[];
  private readonly restarting = new Set<Promise<void>>();

  private constructor(
    private readonly env: Record<string, string>,
    readonly ports: number[],
  ) {
    this.running = ports.map(() => null);
  }

  static async start(env: Record<string, string>, count: number): Promise<Fleet> {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await freeStablePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const fleet = new Fleet(env, ports);
    for (let i = 0; i < count; i++) fleet.running[i] = await spawnInstance(env, ports[i]);
    return fleet;
  }

  /** SIGKILL to `howMany` of the running instances, each started again after a moment. */
  async strike(howMany: number, random: () => number): Promise<void> {
    const up = this.running.flatMap((inst, i) => (inst === null ? [] : [i]));
    const victims: number[] = [];
    while (victims.length < Math.min(howMany, up.length - 1)) {
      const i = up[Math.floor(random() * up.length)]!;
      if (!victims.includes(i)) victims.push(i);
    }
    for (const i of victims) {
      const inst = this.running[i]!;
      this.running[i] = null;
      await inst.kill();
      this.kills++;
      const back = this.restart(i, 300 + Math.floor(random() * 1_200));
      this.restarting.add(back);
      void back.finally(() => this.restarting.delete(back));
    }
  }

  /** Every instance up again (after the last strike's restarts). */
  async settle(): Promise<void> {
    while (this.restarting.size > 0) await Promise.all(Array.from(this.restarting.values()));
  }

  async stop(): Promise<void> {
    await this.settle().catch(() => {});
    await Promise.allSettled(this.running.map((inst) => (inst ? inst.stop() : Promise.resolve())));
  }

  private async restart(i: number, afterMs: number): Promise<void> {
    await sleep(afterMs);
    for (let attempt = 1; ; attempt++) {
      try {
        this.running[i] = await spawnInstance(this.env, this.ports[i]);
        this.restarts++;
        return;
      } catch (err) {
        // An instance refuses to start while no Redis primary is reachable (a failover under
        // way): it is tried again until the sentinels have promoted one.
        if (attempt >= 30) {
          this.problems.push(`instance on port ${this.ports[i]} did not restart: ${String(err)}`);
          return;
        }
        await sleep(1_000);
      }
    }
  }
}

/** The port of the primary the sentinels name now. */
export function primaryPort(group: SentinelGroup): number | null {
  for (const s of group.sentinels) {
    const reply = redisCli(s.port, "sentinel", "get-master-addr-by-name", SENTINEL_MASTER);
    const port = Number(reply.trim().split("\n")[1]);
    if (Number.isInteger(port) && port > 0) return port;
  }
  return null;
}

/**
 * SIGKILLs the primary, waits (at most `timeoutMs`) until the sentinels name another, then starts
 * the killed node again on its port and data: the sentinels make it a replica of the new primary.
 * Returns the promoted port, or null when no failover happened in time.
 */
export async function killPrimary(
  group: SentinelGroup,
  timeoutMs = 30_000,
): Promise<number | null> {
  const old = primaryPort(group);
  const node = group.nodes.find((n) => n.port === old);
  if (node === undefined) throw new Error(`no data node on the primary's port ${old}`);
  node.process.kill("SIGKILL");
  await new Promise<void>((resolve) =>
    node.process.exitCode !== null || node.process.signalCode !== null
      ? resolve()
      : node.process.once("exit", () => resolve()),
  );
  const deadline = Date.now() + timeoutMs;
  let promoted: number | null = null;
  while (Date.now() < deadline) {
    const now = primaryPort(group);
    if (now !== null && now !== old) {
      promoted = now;
      break;
    }
    await sleep(200);
  }
  await group.restart(node);
  return promoted;
}
