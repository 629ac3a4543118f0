// Test configuration: the throwaway services started by `npm test`, a key prefix and a database
// of each test's own, so tests never see each other's data.
import { randomBytes } from "node:crypto";
import { loadConfig, type Config } from "../../src/config.js";

export function uniqueName(tag = "t"): string {
  return `${tag}${randomBytes(5).toString("hex")}`;
}

/**
 * The services `npm test` started; `cluster`, the seed nodes of a 3-master Redis Cluster, on the
 * pass that runs the suites there (TEST_REDIS_CLUSTER_NODES).
 */
export function serviceUrls(): { redis: string; mongo: string; cluster?: string } {
  const redis = process.env.TEST_REDIS_URL;
  const mongo = process.env.TEST_MONGO_URL;
  if (!redis || !mongo)
    throw new Error("run the tests with `npm test`, which starts Redis and FerretDB");
  const cluster = process.env.TEST_REDIS_CLUSTER_NODES;
  return cluster ? { redis, mongo, cluster } : { redis, mongo };
}

/** A fresh configuration: own Redis prefix, own database; same values for every instance of a test. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const urls = serviceUrls();
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    REDIS_URL: urls.redis,
    ...(urls.cluster === undefined ? {} : { REDIS_CLUSTER_NODES: urls.cluster }),
    MONGO_URL: `${urls.mongo}/${uniqueName("db")}`,
    REDIS_PREFIX: uniqueName("p"),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    RATE_LIMITS: "off",
    ...overrides,
  };
}

/**
 * The configuration of `env`. With REDIS_CLUSTER_NODES it is built past the start's refusal of a
 * Cluster (the steps that start games still span slots, docs/architecture.md): the suites that run
 * on the Cluster pass are those whose steps are single-slot already.
 */
export function testConfig(env: Record<string, string | undefined>): Config {
  const { REDIS_CLUSTER_NODES: nodes, ...rest } = env;
  const config = loadConfig(rest);
  if (!nodes) return config;
  const cluster = nodes.split(",").map((node) => {
    const [host, port] = node.split(":");
    return { host: host!, port: Number(port) };
  });
  return { ...config, REDIS_CLUSTER_NODES: cluster };
}
