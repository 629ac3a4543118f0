// Redis clients (node-redis: it works with the sharded Socket.IO adapter on Redis Cluster too) and
// a loader for the Lua scripts that make every state change one atomic step.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createClient, type RedisClientType } from "redis";

export type Redis = RedisClientType;

/** From dist/src/store/ back to the source folder of the scripts. */
const LUA_DIR = new URL("../../../src/store/lua/", import.meta.url);

/**
 * A client that keeps retrying with a capped backoff: an instance never crashes for Redis.
 *
 * No client sets a per-command timeout. node-redis's default (5 s) only bounds how long a command
 * waits in the offline queue, and it costs an `AbortSignal.timeout` per command: about a third of
 * an instance's CPU per move (docs/benchmarks.md). Instead:
 * - `queueWhileOffline: false` (the command client): a command sent while Redis is unreachable is
 *   refused at once; a player's move gets INTERNAL and can be sent again, rather than committed
 *   later with the wait charged to the mover's clock;
 * - `queueWhileOffline: true` (the adapter's clients): a publish made after a commit waits for the
 *   connection to come back instead of being lost, and so do subscriptions.
 * A command already sent is rejected when its connection drops, either way.
 */
export function createRedis(
  url: string,
  onError: (err: Error) => void,
  { queueWhileOffline = true }: { queueWhileOffline?: boolean } = {},
): Redis {
  const client = createClient({
    url,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000) },
    disableOfflineQueue: !queueWhileOffline,
    commandOptions: { timeout: 0 },
  }) as Redis;
  client.on("error", onError);
  return client;
}

/**
 * Closes a client: QUIT when Redis answers, else the connection is cut. A client can still look
 * ready for a moment after Redis went away (the close is not yet seen), and a QUIT sent then
 * would wait for ever: it gets `waitMs`.
 */
export async function closeRedis(client: Redis, waitMs = 1_000): Promise<void> {
  if (client.isReady) {
    let timer: NodeJS.Timeout | undefined;
    const quit = client.quit().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, waitMs, false)));
    const quitted = await Promise.race([quit, timeout]);
    clearTimeout(timer);
    if (quitted) return;
  }
  if (client.isOpen) client.destroy();
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

  /**
   * Loads `src/store/lua/<name>.lua` (read from the source tree: tsc does not copy .lua files),
   * after the shared `includes` (Lua has no imports; shared functions are prepended).
   */
  static load(name: string, includes: readonly string[] = []): LuaScript {
    const read = (file: string) => readFileSync(new URL(`${file}.lua`, LUA_DIR), "utf8");
    return new LuaScript(name, [...includes.map(read), read(name)].join("\n"));
  }

  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
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
