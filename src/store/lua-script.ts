// The Lua scripts that make every state change one atomic step: loaded from src/store/lua, run by
// EVALSHA (EVAL when the server has not cached it), followed by their WAIT (replication.ts).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Redis } from "./redis.js";
import { masterForWait, replicated } from "./replication.js";

const LUA_DIR = new URL("../../../src/store/lua/", import.meta.url);

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

  /**
   * Runs the script, then waits for the configured replicas (`durable`). The WAIT is sent in the
   * same write as the script, on the same connection, so it costs no extra round trip and counts
   * that script's writes. On a Cluster both go to the own client of the master of the first key
   * (the cluster client routes each command on its own, and a WAIT could overtake the script, or
   * land on a connection made after it); a slot moved meanwhile (`MOVED`) is learned through the
   * cluster client, then the step is sent once more to the new master.
   */
  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const options = { keys: [...keys], arguments: args.map(String) };
    const master = masterForWait(redis);
    const first = keys[0];
    if (master === undefined || first === undefined) {
      return this.runOn(redis, redis, options);
    }
    try {
      return await this.runOn(await master(first), redis, options);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith("MOVED "))) throw err;
      await redis.pTTL(first); // through the cluster client, which follows it and learns the slot
      return this.runOn(await master(first), redis, options);
    }
  }

  /** EVALSHA (EVAL when the server has not cached it) and the WAIT of `owner`, both on `client`. */
  private async runOn(
    client: Redis,
    owner: Redis,
    options: { keys: string[]; arguments: string[] },
  ): Promise<unknown> {
    const script = client.evalSha(this.sha, options);
    let waited = replicated(owner, undefined, client);
    let reply: unknown;
    try {
      reply = await script;
    } catch (err) {
      await waited?.catch(() => {});
      if (!(err instanceof Error && err.message.startsWith("NOSCRIPT"))) throw err;
      const again = client.eval(this.source, options);
      waited = replicated(owner, undefined, client);
      try {
        reply = await again;
      } catch (evalErr) {
        waited?.catch(() => {});
        throw evalErr;
      }
    }
    if (waited) await waited;
    return reply;
  }
}
