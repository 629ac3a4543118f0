// Configuration: every knob is an environment variable, validated once at start.
import proxyAddr from "proxy-addr";
import { z } from "zod";

const intMs = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const redisUrl = z
  .string()
  .refine(
    (s) => /^rediss?:\/\/[^\s]+$/.test(s) && URL.canParse(s),
    "must be a redis:// or rediss:// URL",
  );
const mongoUrl = z
  .string()
  .refine(
    (s) => /^mongodb(\+srv)?:\/\/[^\s]+$/.test(s),
    "must be a mongodb:// or mongodb+srv:// URL",
  );

/** `host:port,host:port,...`: the seed nodes of a Cluster or the sentinels of a primary. */
const redisNodes = z
  .string()
  .default("")
  .transform((raw, ctx) => {
    const nodes: { host: string; port: number }[] = [];
    for (const item of raw
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0)) {
      const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(item);
      const port = m ? Number(m[2]) : 0;
      if (!m || port < 1 || port > 65535) {
        ctx.addIssue({ code: "custom", message: `"${item}" is not host:port` });
        return z.NEVER;
      }
      nodes.push({ host: m[1]!.replace(/^\[|\]$/g, ""), port });
    }
    return nodes;
  });

/** Whom to believe about a request's origin: nobody, the nearest `hops` proxies, or these addresses. */
export type TrustProxy =
  { mode: "off" } | { mode: "hops"; hops: number } | { mode: "addresses"; addresses: string[] };

const trustProxy = z
  .string()
  .default("off")
  .transform((raw, ctx): TrustProxy => {
    const value = raw.trim();
    if (value === "" || value.toLowerCase() === "off" || value === "0") return { mode: "off" };
    if (/^\d+$/.test(value)) return { mode: "hops", hops: Number(value) };
    if (/^(on|true|yes)$/i.test(value)) {
      ctx.addIssue({
        code: "custom",
        message:
          "trusting every hop would let a client choose its own address: give the number of proxies in front (1 behind one load balancer) or their addresses",
      });
      return z.NEVER;
    }
    const addresses = value
      .split(",")
      .map((a) => a.trim())
      .filter((a) => a.length > 0);
    try {
      // Express's own parser of `trust proxy` lists: what it accepts, we accept.
      proxyAddr.compile(addresses);
    } catch (err) {
      ctx.addIssue({
        code: "custom",
        message: `off, a number of hops, or comma-separated addresses or CIDRs (${err instanceof Error ? err.message : "invalid"})`,
      });
      return z.NEVER;
    }
    return { mode: "addresses", addresses };
  });

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  REDIS_URL: redisUrl.default("redis://127.0.0.1:6379"),
  /** Sentinels watching the primary named REDIS_SENTINEL_MASTER; when set, REDIS_URL is unused. */
  REDIS_SENTINELS: redisNodes,
  REDIS_SENTINEL_MASTER: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "letters, digits, ., _ and - only")
    .optional(),
  /** Seed nodes of a Redis Cluster; when set, REDIS_URL is unused. */
  REDIS_CLUSTER_NODES: redisNodes,
  /** Replicas that must hold a change before it is acknowledged (Redis WAIT); 0: none. */
  REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(10).default(0),
  REDIS_WAIT_TIMEOUT_MS: intMs(1_000),
  MONGO_URL: mongoUrl.default("mongodb://127.0.0.1:27017/chess"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  NODE_ENV: z.string().default("development"),
  /** Prefix of every Redis key and channel; tests give each run its own. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,40}$/, "letters, digits, _ and - only")
    .default("chess"),
  FIRST_MOVE_MS: intMs(30_000),
  /** How long a player must have had no socket on the game before the opponent may claim it. */
  GONE_MS: intMs(30_000),
  /** How often an instance refreshes who is on its games; three missed refreshes count as gone. */
  PRESENCE_HEARTBEAT_MS: intMs(5_000),
  PROPOSAL_MS: intMs(15_000),
  /** How long an unanswered challenge stays open. */
  CHALLENGE_MS: intMs(86_400_000),
  /** How long a rematch offer stays open (lichess: a minute). */
  REMATCH_MS: intMs(60_000),
  PAIRING_INTERVAL_MS: intMs(1_000),
  /** A join is paired within this long when a compatible opponent waits (0: at the next wave). */
  PAIRING_SOON_MS: z.coerce.number().int().min(0).default(50),
  DEADLINE_POLL_MS: intMs(100),
  SESSION_TTL_S: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 24 * 3600),
  ARCHIVE_GRACE_S: z.coerce.number().int().positive().default(3600),
  /** An archive entry pending this long with another consumer is taken over (its instance died). */
  ARCHIVE_CLAIM_IDLE_MS: intMs(30_000),
  /** An archive entry that failed this many deliveries goes to the dead-letter stream. */
  ARCHIVE_MAX_DELIVERIES: z.coerce.number().int().min(1).default(10),
  /** Tests only: the archiver stops at this step of every game (to be killed there). */
  ARCHIVE_TEST_PAUSE: z.enum(["off", "after-insert", "after-white", "before-ack"]).default("off"),
  RATE_LIMITS: z.enum(["on", "off"]).default("on"),
  ALLOWED_ORIGINS: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
    ),
  TRUST_PROXY: trustProxy,
  /** Bearer token that GET /metrics requires; without one, /metrics is not served. */
  METRICS_TOKEN: z
    .string()
    .default("")
    .refine((s) => s === "" || /^[\x21-\x7e]{16,200}$/.test(s), "16 to 200 printable characters")
    .transform((s) => (s === "" ? null : s)),
  SHUTDOWN_TIMEOUT_MS: intMs(10_000),
});

export type Config = z.infer<typeof configSchema> & { REDIS_SENTINEL_MASTER: string };

export class ConfigError extends Error {
  readonly code = "CONFIG";
}

/** Parses the environment; throws a ConfigError that names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return checkTopology(parsed.data);
  const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  throw new ConfigError(`invalid configuration: ${lines.join("; ")}`);
}

/** One topology at a time, and a sentinel group has a name. */
function checkTopology(config: z.infer<typeof configSchema>): Config {
  const sentinel = config.REDIS_SENTINELS.length > 0;
  if (sentinel && config.REDIS_CLUSTER_NODES.length > 0) {
    throw new ConfigError(
      "invalid configuration: REDIS_SENTINELS and REDIS_CLUSTER_NODES: set one topology, not both",
    );
  }
  // The pairing, acceptance, cancellation and game-end steps still span hash slots
  // (docs/architecture.md): refused here rather than failing with CROSSSLOT mid-game.
  if (config.REDIS_CLUSTER_NODES.length > 0) {
    throw new ConfigError(
      "invalid configuration: REDIS_CLUSTER_NODES: Redis Cluster is not supported yet (use REDIS_URL or REDIS_SENTINELS)",
    );
  }
  if (sentinel && config.REDIS_SENTINEL_MASTER === undefined) {
    throw new ConfigError(
      "invalid configuration: REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS (the name the sentinels monitor)",
    );
  }
  return { ...config, REDIS_SENTINEL_MASTER: config.REDIS_SENTINEL_MASTER ?? "" };
}
