// Direct access to a test's Redis keys, for setting up and inspecting state around child instances.
import type { Config } from "../../src/config.js";
import { testConfig } from "./env.js";
import { createKeys, type Keys } from "../../src/store/keys.js";
import { createRedis, type Redis } from "../../src/store/redis.js";

export interface StoreHandle {
  redis: Redis;
  keys: Keys;
  config: Config;
  close: () => Promise<void>;
}

export async function openStore(env: Record<string, string>): Promise<StoreHandle> {
  const config = testConfig(env);
  const redis = createRedis(config, () => {});
  await redis.connect();
  return {
    redis,
    keys: createKeys(config.REDIS_PREFIX),
    config,
    close: async () => void (await redis.quit()),
  };
}
