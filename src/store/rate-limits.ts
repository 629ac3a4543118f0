// HTTP-side rate limits (logins, registrations, guests), counted in Redis so that every instance
// shares one count. `RATE_LIMITS=off` turns them all into no-ops.
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { addressKey } from "../client-address.js";
import type { AppContext } from "../context.js";
import { AppError } from "../protocol/errors.js";

type Ctx = Pick<AppContext, "redis" | "keys" | "config">;

/**
 * The limits, as points per window, and what each counts per (an address is counted by
 * `addressKey`: an IPv6 client by its /64). Login attempts are counted before the password is
 * checked, so a burst of concurrent attempts tries no more passwords than the limit allows, and
 * refunded where they do not apply (a success is no failure, a failure no login). Generous enough
 * for many players behind one NAT address; tight enough that guessing passwords, or filling Redis
 * with sessions, accounts and guests, is slow. docs/protocol.md has the same table.
 */
export const RATE_LIMITS = {
  /** Failed logins from one address, whatever the names tried. */
  loginFailuresPerAddress: { per: "address", points: 50, durationS: 10 * 60 },
  /** Failed logins for one username, from anywhere; a successful login clears the count. */
  loginFailuresPerUsername: { per: "username", points: 10, durationS: 15 * 60 },
  /** Successful logins of one username (each one a new session, and one argon2 run). */
  loginsPerUsername: { per: "username", points: 30, durationS: 60 * 60 },
  /** New accounts from one address (HTTP register and the socket's REGISTER_USER). */
  registerPerAddress: { per: "address", points: 30, durationS: 60 * 60 },
  /** New guest sessions from one address (POST /api/guest and sessionless socket handshakes). */
  guestPerAddress: { per: "address", points: 300, durationS: 10 * 60 },
} as const;

export type LimitName = keyof typeof RATE_LIMITS;

export interface RateLimits {
  /** Counts an attempt; throws RATE_LIMITED past the limit. */
  consume(name: LimitName, key: string): Promise<void>;
  /**
   * Counts one attempt against each limit, in order; when one refuses, gives back the points
   * already taken from the others and throws RATE_LIMITED, so a refused attempt costs nothing.
   */
  consumeAll(counts: readonly (readonly [LimitName, string])[]): Promise<void>;
  /** Gives back one point of an attempt that the limit should not count after all. */
  refund(name: LimitName, key: string): Promise<void>;
  reset(name: LimitName, key: string): Promise<void>;
}

const OFF: RateLimits = {
  consume: async () => {},
  consumeAll: async () => {},
  refund: async () => {},
  reset: async () => {},
};

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
  const keyOf = (name: LimitName, key: string) =>
    RATE_LIMITS[name].per === "address" ? addressKey(key) : key;
  const limits: RateLimits = {
    async consume(name, key) {
      await limiter(name).consume(keyOf(name, key)).catch(rethrow);
    },
    async consumeAll(counts) {
      const taken: (readonly [LimitName, string])[] = [];
      for (const count of counts) {
        try {
          await limits.consume(...count);
        } catch (err) {
          await Promise.all(taken.map((c) => limits.refund(...c)));
          throw err;
        }
        taken.push(count);
      }
    },
    async refund(name, key) {
      await limiter(name).reward(keyOf(name, key));
    },
    async reset(name, key) {
      await limiter(name).delete(keyOf(name, key));
    },
  };
  return limits;
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
