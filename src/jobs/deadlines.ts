// The deadline scheduler: flags, first-move aborts and proposal expiries are members of one Redis
// sorted set scored by due time. Every instance polls; a Lua claim leases each due member to one
// instance; a handler re-checks the state in its own atomic step, so a stale or duplicated
// deadline does nothing. Work claimed by an instance that dies is due again when the lease ends.
import type { AppContext } from "../context.js";
import { LuaScript } from "../store/redis.js";

const claim = LuaScript.load("claim-deadlines-1");
const release = LuaScript.load("release-deadline-1");

/** Handles the id of one due deadline; resolving means done (or nothing left to do). */
export type DeadlineHandler = (ctx: AppContext, id: string) => Promise<void>;

export interface DeadlineOptions {
  pollMs: number;
  leaseMs?: number;
  batch?: number;
}

export function deadlineMember(kind: string, id: string): string {
  return `${kind}:${id}`;
}

export function startDeadlines(
  ctx: AppContext,
  handlers: Record<string, DeadlineHandler>,
  opts: DeadlineOptions,
): { stop: () => Promise<void> } {
  const leaseMs = opts.leaseMs ?? 10_000;
  const batch = opts.batch ?? 100;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const runOne = async (member: string, lease: string) => {
    const colon = member.indexOf(":");
    const handler = handlers[member.slice(0, colon)];
    if (handler === undefined) {
      ctx.log.warn({ member }, "deadline of unknown kind");
      return;
    }
    try {
      await handler(ctx, member.slice(colon + 1));
      await release.run(ctx.redis, [ctx.keys.deadlines], [member, lease]);
    } catch (err) {
      ctx.log.warn({ err, member }, "deadline handler failed; retried after its lease");
    }
  };

  const tick = async () => {
    if (!ctx.redis.isReady) return;
    const claimed = (await claim.run(
      ctx.redis,
      [ctx.keys.deadlines],
      [leaseMs, batch],
    )) as string[];
    const work: Promise<void>[] = [];
    for (let i = 0; i < claimed.length; i += 2) work.push(runOne(claimed[i]!, claimed[i + 1]!));
    await Promise.all(work);
  };

  const loop = () => {
    if (stopped) return;
    running = tick()
      .catch((err: unknown) => ctx.log.warn({ err }, "deadline poll failed"))
      .finally(() => {
        if (!stopped) setTimeout(loop, opts.pollMs).unref();
      });
  };
  loop();
  return {
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}
