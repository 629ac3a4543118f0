// The browser's session lives in the HttpOnly cookie `sid`, set by login, register and guest, and
// sent by the browser itself: on HTTP requests and on the socket's same-origin handshake. The page
// keeps the id in memory only (the server names it in its answers), never in storage.
import { api } from "./api.js";

/** Where earlier versions of this client kept the session id; cleared on sight. */
const LEGACY_KEY = "chess.sessionId";

function forgetLegacyCopy(): void {
  try {
    localStorage.removeItem(LEGACY_KEY);
  } catch {
    // No storage (private mode): nothing was kept there either.
  }
}

/**
 * The cookie's session when the server still knows it, else null (the entry screen asks). The
 * request also bounds the clock offset (its Date header) before the socket opens.
 */
export async function findSession(): Promise<string | null> {
  forgetLegacyCopy();
  try {
    return (await api.session()).sessionId;
  } catch {
    return null;
  }
}
