// The client's session id: kept in localStorage and sent as `?session=` on the socket; without one,
// the `sid` cookie (if any) is exchanged for it through GET /api/session.
import { api, ApiError } from "./api.js";

const KEY = "chess.sessionId";

export function storedSession(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeSession(sessionId: string | null): void {
  try {
    if (sessionId === null) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, sessionId);
  } catch {
    // Private mode without storage: the cookie still carries the session for HTTP.
  }
}

/**
 * The stored session if the server still knows it, else the cookie's, else null (the entry screen
 * asks). The request also bounds the clock offset (its Date header) before the socket opens.
 */
export async function findSession(): Promise<string | null> {
  const stored = storedSession();
  if (stored !== null) {
    try {
      await api.session(stored);
      return stored;
    } catch (err) {
      // Unreachable for now: the socket will retry. Unknown: forget it, or we would play as a guest.
      if (!(err instanceof ApiError && err.code === "NO_SESSION")) return stored;
      storeSession(null);
    }
  }
  try {
    const answer = await api.session();
    storeSession(answer.sessionId);
    return answer.sessionId;
  } catch {
    return null;
  }
}
