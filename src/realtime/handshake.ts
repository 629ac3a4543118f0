// The socket handshake: the Origin check and the session (a new guest when there is none).
import type { IncomingMessage } from "node:http";
import type { AppContext } from "../context.js";
import type { Config } from "../config.js";
import { createGuestSession } from "../store/guests.js";
import { getSession } from "../store/sessions.js";
import type { SocketUser } from "./dispatch.js";

/**
 * A browser may connect only from an allowed origin: ALLOWED_ORIGINS, or by default the origin
 * matching the request's own Host. A client without an Origin header is not a browser.
 */
export function originAllowed(config: Config, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (config.ALLOWED_ORIGINS.length > 0) return config.ALLOWED_ORIGINS.includes(origin);
  const host = req.headers["x-forwarded-host"] ?? req.headers.host;
  if (typeof host !== "string") return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export async function authenticate(app: AppContext, sessionParam: unknown): Promise<SocketUser> {
  const sessionId = Array.isArray(sessionParam) ? sessionParam[0] : sessionParam;
  const session = await getSession(app, sessionId);
  if (session !== null && typeof sessionId === "string") {
    return { sessionId, userId: session.userId, username: session.username, guest: session.guest };
  }
  const guest = await createGuestSession(app);
  return {
    sessionId: guest.sessionId,
    userId: guest.session.userId,
    username: guest.session.username,
    guest: true,
  };
}
