// HTTP-side rate limits (logins, registrations, guests), counted in Redis so that every instance
// shares one count. `RATE_LIMITS=off` turns them all into no-ops.
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { AppContext } from "../context.js";
import { AppError } from "../protocol/errors.js";

type Ctx = Pick<AppContext, "redis" | "keys" | "config">;

/**
 * The limits, as points per window. Only failed logins count: a successful one gives an attacker
 * nothing, and players (or test suites) logging in often are never held up. Generous enough for
 * many players behind one NAT address; tight enough that guessing passwords, or filling Redis with
 * accounts and guests, is slow.
 */
export const RATE_LIMITS = {
  /** Failed logins from one address, whatever the names tried. */
  loginFailuresPerAddress: { points: 50, durationS: 10 * 60 },
  /** Failed logins for one username, from anywhere; a successful login clears the count. */
  loginFailuresPerUsername: { points: 10, durationS: 15 * 60 },
  /** New accounts from one address (HTTP register and the socket's REGISTER_USER). */
  registerPerAddress: { points: 30, durationS: 60 * 60 },
  /** New guest sessions from one address (POST /api/guest and sessionless socket handshakes). */
  guestPerAddress: { points: 300, durationS: 10 * 60 },
} as const;

type LimitName = keyof typeof RATE_LIMITS;

export interface RateLimits {
  /** Counts an attempt; throws RATE_LIMITED past the limit. */
  consume(name: LimitName, key: string): Promise<void>;
  /** Throws RATE_LIMITED when the count is already at the limit, without counting. */
  check(name: LimitName, key: string): Promise<void>;
  reset(name: LimitName, key: string): Promise<void>;
}

const OFF: RateLimits = { consume: async () => {}, check: async () => {}, reset: async () => {} };

function createRateLimits(ctx: Ctx): RateLimits {
  const limiters = new Map<LimitName, RateLimiterRedis>();
  for (const [name, limit] of Object.entries(RATE_LIMITS) as [
    LimitName,
    (typeof RATE_LIMITS)[LimitName],
  ][]) {
    limiters.set(
      name,
      new RateLimiterRedis({
        storeClient: ctx.redis,
        // node-redis v4+ (the `redis` package) speaks a different API from ioredis.
        useRedisPackage: true,
        keyPrefix: `${ctx.keys.rateLimit}:${name}`,
        points: limit.points,
        duration: limit.durationS,
      }),
    );
  }
  const limiter = (name: LimitName) => limiters.get(name)!;
  return {
    async consume(name, key) {
      await limiter(name).consume(key).catch(rethrow);
    },
    async check(name, key) {
      const res = await limiter(name).get(key);
      if (res !== null && res.consumedPoints >= RATE_LIMITS[name].points)
        throw new AppError("RATE_LIMITED");
    },
    async reset(name, key) {
      await limiter(name).delete(key);
    },
  };
}

/** A refusal of the limiter is RATE_LIMITED; anything else (Redis down) stays an error. */
function rethrow(err: unknown): never {
  if (err instanceof RateLimiterRes) throw new AppError("RATE_LIMITED");
  throw err;
}

const byContext = new WeakMap<Ctx, RateLimits>();

/** The limiters of one instance, built on first use. */
export function rateLimits(ctx: Ctx): RateLimits {
  if (ctx.config.RATE_LIMITS === "off") return OFF;
  let limits = byContext.get(ctx);
  if (limits === undefined) {
    limits = createRateLimits(ctx);
    byContext.set(ctx, limits);
  }
  return limits;
}
