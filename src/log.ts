// Structured logs (pino). Nothing that reaches a log line may hold a password or a hash.
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: ["password", "*.password", "passwordHash", "*.passwordHash"], remove: true },
  });
}
