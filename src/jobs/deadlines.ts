// The deadline scheduler: flags, first-move aborts, proposal and challenge expiries and the
// follow-ups of ended games are members of Redis sorted sets scored by due time, one per bucket
// (store/buckets.ts), and the one set of older releases. Every instance polls them all; a Lua
// claim leases each due member to one instance; a handler re-checks the state in its own atomic
// step, so a stale or duplicated deadline does nothing. Work claimed by an instance that dies is
// due again when the lease ends.
import type { AppContext } from "../context.js";
import { slotGroups } from "../store/redis.js";
import { LuaScript } from "../store/lua-script.js";

const claim = LuaScript.load("claim-deadlines");
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

  const groups = slotGroups(ctx.redis, ctx.keys.deadlineSets);

  const runOne = async (set: string, member: string, lease: string) => {
    const colon = member.indexOf(":");
    const handler = handlers[member.slice(0, colon)];
    if (handler === undefined) {
      ctx.log.warn({ member }, "deadline of unknown kind");
      return;
    }
    try {
      await handler(ctx, member.slice(colon + 1));
      await release.run(ctx.redis, [set], [member, lease]);
    } catch (err) {
      ctx.log.warn({ err, member }, "deadline handler failed; retried after its lease");
    }
  };

  const claimGroup = async (group: string[]) => {
    const claimed = (await claim.run(ctx.redis, group, [leaseMs, batch])) as (string | number)[];
    const work: Promise<void>[] = [];
    for (let i = 0; i < claimed.length; i += 3) {
      const set = group[Number(claimed[i]) - 1]!;
      work.push(runOne(set, String(claimed[i + 1]), String(claimed[i + 2])));
    }
    await Promise.all(work);
  };

  const tick = async () => {
    if (!ctx.redis.isReady) return;
    // A group refused (its master failing over, on a Cluster) does not hold up the others.
    const polls = await Promise.allSettled(groups.map(claimGroup));
    const failed = polls.find((p): p is PromiseRejectedResult => p.status === "rejected");
    if (failed) throw failed.reason;
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
