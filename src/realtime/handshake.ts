// The socket handshake: the Origin check, the client's address and the session (a new guest when
// there is none).
import type { IncomingMessage } from "node:http";
import { parseCookie } from "cookie";
import { clientAddress } from "../client-address.js";
import type { AppContext } from "../context.js";
import type { Config } from "../config.js";
import type { IoSocket as Socket } from "./io.js";
import { createGuestSession } from "../store/guests.js";
import { rateLimits } from "../store/rate-limits.js";
import { getSession, SESSION_COOKIE } from "../store/sessions.js";
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

/** The client's address, for rate limits: TRUST_PROXY's rule, the same as Express's `req.ip`. */
export function socketAddress(config: Config, handshake: Socket["handshake"]): string {
  return clientAddress(config, handshake);
}

const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);

/**
 * The session a handshake presents, the first found of: Socket.IO's `auth` payload
 * (`{session}`), the query parameter `session` (kept for the clients that use it, though proxies
 * log URLs), and the cookie `sid` (the browser's own same-origin socket). As with a Bearer token
 * over a cookie, what the client names explicitly wins.
 */
export function presentedSession(handshake: Socket["handshake"]): unknown {
  const auth = (handshake.auth as { session?: unknown } | undefined)?.session;
  if (auth !== undefined) return auth;
  const query = first(handshake.query.session);
  if (query !== undefined) return query;
  const cookie = handshake.headers.cookie;
  return typeof cookie === "string" ? parseCookie(cookie)[SESSION_COOKIE] : undefined;
}

/**
 * The session presented (`presentedSession`), or a new guest session when it names none the store
 * knows; guests made this way count against the same per-address limit as POST /api/guest.
 */
export async function authenticate(
  app: AppContext,
  sessionParam: unknown,
  address = "unknown",
): Promise<SocketUser> {
  const sessionId: unknown = Array.isArray(sessionParam) ? sessionParam[0] : sessionParam;
  const session = await getSession(app, sessionId);
  if (session !== null && typeof sessionId === "string") {
    return { sessionId, userId: session.userId, username: session.username, guest: session.guest };
  }
  await rateLimits(app).consume("guestPerAddress", address);
  const guest = await createGuestSession(app);
  return {
    sessionId: guest.sessionId,
    userId: guest.session.userId,
    username: guest.session.username,
    guest: true,
  };
}
