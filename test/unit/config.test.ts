import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.js";

test("defaults follow PROTOCOL.md", () => {
  const config = loadConfig({});
  assert.equal(config.PORT, 3000);
  assert.equal(config.HOST, "127.0.0.1");
  assert.equal(config.REDIS_URL, "redis://127.0.0.1:6379");
  assert.equal(config.MONGO_URL, "mongodb://127.0.0.1:27017/chess");
  assert.equal(config.FIRST_MOVE_MS, 30_000);
  assert.equal(config.PROPOSAL_MS, 15_000);
  assert.equal(config.CHALLENGE_MS, 86_400_000);
  assert.equal(config.RATE_LIMITS, "on");
  assert.deepEqual(config.ALLOWED_ORIGINS, []);
});

test("a malformed REDIS_URL is refused with a message naming the variable", () => {
  for (const bad of ["localhost:6379", "http://127.0.0.1:6379", "redis://", "redis:// spaced"]) {
    assert.throws(
      () => loadConfig({ REDIS_URL: bad }),
      (err: unknown) => err instanceof ConfigError && err.message.includes("REDIS_URL"),
      bad,
    );
  }
});

test("every bad variable is named, not only the first", () => {
  assert.throws(
    () => loadConfig({ PORT: "seventy", MONGO_URL: "postgres://x", RATE_LIMITS: "maybe" }),
    (err: unknown) =>
      err instanceof ConfigError &&
      ["PORT", "MONGO_URL", "RATE_LIMITS"].every((name) => err.message.includes(name)),
  );
});

test("ALLOWED_ORIGINS is a comma-separated list", () => {
  const config = loadConfig({ ALLOWED_ORIGINS: "https://a.example, https://b.example" });
  assert.deepEqual(config.ALLOWED_ORIGINS, ["https://a.example", "https://b.example"]);
});

test("TRUST_PROXY: off, a number of hops, or trusted addresses and CIDRs", () => {
  assert.deepEqual(loadConfig({}).TRUST_PROXY, { mode: "off" });
  assert.deepEqual(loadConfig({ TRUST_PROXY: "off" }).TRUST_PROXY, { mode: "off" });
  assert.deepEqual(loadConfig({ TRUST_PROXY: "0" }).TRUST_PROXY, { mode: "off" });
  assert.deepEqual(loadConfig({ TRUST_PROXY: "2" }).TRUST_PROXY, { mode: "hops", hops: 2 });
  assert.deepEqual(loadConfig({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,::1" }).TRUST_PROXY, {
    mode: "addresses",
    addresses: ["10.0.0.0/8", "127.0.0.1", "::1"],
  });
  for (const bad of ["on", "true", "10.0.0.0/33", "nginx", "1.2.3", "-1"]) {
    assert.throws(
      () => loadConfig({ TRUST_PROXY: bad }),
      (err: unknown) => err instanceof ConfigError && err.message.includes("TRUST_PROXY"),
      bad,
    );
  }
});

test("METRICS_TOKEN: unset means no /metrics; a set one must be long enough", () => {
  assert.equal(loadConfig({}).METRICS_TOKEN, null);
  assert.equal(loadConfig({ METRICS_TOKEN: "0123456789abcdef" }).METRICS_TOKEN, "0123456789abcdef");
  assert.throws(
    () => loadConfig({ METRICS_TOKEN: "short" }),
    (err: unknown) => err instanceof ConfigError && err.message.includes("METRICS_TOKEN"),
  );
});

test("REDIS_SENTINELS is a list of host:port with its master's name; a bad one is named", () => {
  const config = loadConfig({
    REDIS_SENTINELS: "10.0.0.1:26379, sentinel-2.example:26380,[::1]:26381",
    REDIS_SENTINEL_MASTER: "chess",
  });
  assert.deepEqual(config.REDIS_SENTINELS, [
    { host: "10.0.0.1", port: 26379 },
    { host: "sentinel-2.example", port: 26380 },
    { host: "::1", port: 26381 },
  ]);
  assert.equal(config.REDIS_SENTINEL_MASTER, "chess");
  const refused = (env: Record<string, string>, name: string) =>
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => err instanceof ConfigError && err.message.includes(name),
      JSON.stringify(env),
    );
  refused({ REDIS_SENTINELS: "10.0.0.1", REDIS_SENTINEL_MASTER: "m" }, "REDIS_SENTINELS");
  refused({ REDIS_SENTINELS: "10.0.0.1:70000", REDIS_SENTINEL_MASTER: "m" }, "REDIS_SENTINELS");
  refused({ REDIS_SENTINELS: "10.0.0.1:26379" }, "REDIS_SENTINEL_MASTER");
  refused({ REDIS_SENTINELS: "a:1", REDIS_SENTINEL_MASTER: "bad name" }, "REDIS_SENTINEL_MASTER");
  refused({ REDIS_CLUSTER_NODES: "10.0.0.1:7000" }, "REDIS_CLUSTER_NODES");
  refused({ REDIS_WAIT_REPLICAS: "-1" }, "REDIS_WAIT_REPLICAS");
  assert.equal(loadConfig({}).REDIS_WAIT_REPLICAS, 0);
  assert.equal(loadConfig({}).REDIS_WAIT_TIMEOUT_MS, 1_000);
});
