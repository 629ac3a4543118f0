// The services every layer receives: built once in main.ts, passed down explicitly.
import type { Server } from "socket.io";
import type { Config } from "./config.js";
import type { GameCache } from "./realtime/game-cache.js";
import type { GameChannels } from "./realtime/game-channels.js";
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
  /** Set once the Socket.IO server exists; HTTP-only code never needs it. */
  io?: Server;
  /** This instance's copy of the live games its sockets play (never the truth; see game-cache). */
  gameCache?: GameCache;
  /** The game channels this instance listens to, for the sockets in game rooms. */
  gameChannels?: GameChannels;
}
