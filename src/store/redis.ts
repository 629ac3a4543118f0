// Redis clients (node-redis: it works with the sharded Socket.IO adapter on Redis Cluster too) and
// a loader for the Lua scripts that make every state change one atomic step.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createClient, type RedisClientType } from "redis";

export type Redis = RedisClientType;

/** A client that keeps retrying with a capped backoff: an instance never crashes for Redis. */
export function createRedis(url: string, onError: (err: Error) => void): Redis {
  const client = createClient({
    url,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000) },
    disableOfflineQueue: false,
  }) as Redis;
  client.on("error", onError);
  return client;
}

/** One Lua script, run by EVALSHA with a fallback to EVAL when the server has not cached it. */
export class LuaScript {
  readonly sha: string;
  private constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  /** Loads `lua/<name>.lua` next to the calling module (pass `import.meta.url`). */
  static load(baseUrl: string, name: string): LuaScript {
    return new LuaScript(name, readFileSync(new URL(`./lua/${name}.lua`, baseUrl), "utf8"));
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const argv = args.map(String);
    try {
      return await redis.evalSha(this.sha, { keys: [...keys], arguments: argv });
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("NOSCRIPT")) {
        return redis.eval(this.source, { keys: [...keys], arguments: argv });
      }
      throw err;
    }
  }
}
