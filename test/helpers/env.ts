// Test configuration: the throwaway services started by `npm test`, a key prefix and a database
// of each test's own, so tests never see each other's data.
import { randomBytes } from "node:crypto";
import { loadConfig, type Config } from "../../src/config.js";

export function uniqueName(tag = "t"): string {
  return `${tag}${randomBytes(5).toString("hex")}`;
}

export function serviceUrls(): { redis: string; mongo: string } {
  const redis = process.env.TEST_REDIS_URL;
  const mongo = process.env.TEST_MONGO_URL;
  if (!redis || !mongo)
    throw new Error("run the tests with `npm test`, which starts Redis and FerretDB");
  return { redis, mongo };
}

/** A fresh configuration: own Redis prefix, own database; same values for every instance of a test. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const urls = serviceUrls();
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    REDIS_URL: urls.redis,
    MONGO_URL: `${urls.mongo}/${uniqueName("db")}`,
    REDIS_PREFIX: uniqueName("p"),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    RATE_LIMITS: "off",
    ...overrides,
  };
}

export function testConfig(env: Record<string, string>): Config {
  return loadConfig(env);
}
