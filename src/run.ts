// One instance started from its configuration, shut down gracefully on SIGTERM or SIGINT.
import type { Config } from "./config.js";
import { startInstance } from "./instance.js";
import { createLogger } from "./log.js";

export async function runInstance(config: Config): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  const instance = await startInstance(config, log);

  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      log.error("shutdown took too long; exiting");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    instance.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

/** Starts `runInstance`, or exits with the reason it could not start. */
export function runOrExit(start: () => Promise<void>): void {
  start().catch((err: unknown) => {
    process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
