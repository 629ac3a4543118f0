// The services every layer receives: built once in instance.ts, passed down explicitly. Nothing
// here knows of Socket.IO: store and jobs reach sockets only through what they publish in Redis.
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import type { Keys } from "./store/keys.js";
import type { Mongo } from "./store/mongo.js";
import type { Redis } from "./store/redis.js";

export interface AppContext {
  config: Config;
  log: Logger;
  redis: Redis;
  keys: Keys;
  mongo: Mongo;
}
