// The socket handshake: the Origin check and the session (a new guest when there is none).
import type { IncomingMessage } from "node:http";
import type { AppContext } from "../context.js";
import type { Config } from "../config.js";
import type { IoSocket as Socket } from "./io.js";
import { createGuestSession } from "../store/guests.js";
import { rateLimits } from "../store/rate-limits.js";
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

/** The client's address, for rate limits: the first X-Forwarded-For hop behind a trusted proxy. */
export function socketAddress(config: Config, handshake: Socket["handshake"]): string {
  const forwarded = handshake.headers["x-forwarded-for"];
  if (config.TRUST_PROXY === "on" && typeof forwarded === "string") {
    const first = forwarded.split(",")[0]!.trim();
    if (first.length > 0) return first;
  }
  return handshake.address;
}

/**
 * The session named by `?session=`, or a new guest session when it names none the store knows;
 * guests made this way count against the same per-address limit as POST /api/guest.
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
