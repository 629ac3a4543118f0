// Per-connection message limit, like lichess's: 100 messages per 20 s, 50 for a socket that only
// watches games (it plays in none of those it holds). A connection lives on one instance, so its
// count lives in that instance's memory. Messages past the limit are refused with RATE_LIMITED; a
// connection that goes on to twice the limit in one window is closed.
import type { IoSocket as Socket } from "./io.js";
import type { Config } from "../config.js";
import { errorBody } from "../protocol/errors.js";
import { emitTo } from "./dispatch.js";

export const SOCKET_LIMIT = { messages: 100, windowMs: 20_000, disconnectAt: 200 } as const;
export const WATCHER_LIMIT = { messages: 50, disconnectAt: 100 } as const;

/** What runs before each `action` of a socket: `next()` lets it through to the dispatcher. */
export type SocketGuard = (socket: Socket, raw: unknown, ack: unknown, next: () => void) => void;

interface Window {
  startMs: number;
  count: number;
}

/** The message type of a raw action, for the client/ERROR of a refusal. */
function typeOf(raw: unknown): string {
  const type = (raw as { type?: unknown } | null)?.type;
  return typeof type === "string" && type.length <= 64 ? type : "unknown";
}

/**
 * A fixed window per socket, started by its first message. Counting is synchronous and allocates
 * nothing per message: it sits in front of every move.
 */
export function socketRateLimit(config: Pick<Config, "RATE_LIMITS">): SocketGuard {
  if (config.RATE_LIMITS === "off") return (_socket, _raw, _ack, next) => next();
  const windows = new WeakMap<Socket, Window>();
  return (socket, raw, ack, next) => {
    const nowMs = Date.now();
    let window = windows.get(socket);
    if (window === undefined || nowMs - window.startMs >= SOCKET_LIMIT.windowMs) {
      window = { startMs: nowMs, count: 0 };
      windows.set(socket, window);
    }
    window.count += 1;
    const limit = socket.data.watchOnly === true ? WATCHER_LIMIT : SOCKET_LIMIT;
    if (window.count <= limit.messages) return next();
    if (window.count >= limit.disconnectAt) {
      socket.disconnect(true);
      return;
    }
    const error = errorBody("RATE_LIMITED");
    if (typeof ack === "function") (ack as (answer: unknown) => void)({ ok: false, error });
    else emitTo(socket, { type: "client/ERROR", payload: { ...error, type: typeOf(raw) } });
  };
}
