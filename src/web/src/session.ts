// The client's session id: kept in localStorage and sent as `?session=` on the socket; on a first
// visit the `sid` cookie (if any) is exchanged for it through GET /api/session.
import { api } from "./api.js";

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

/** The stored session, else the cookie's, else null (the entry screen asks). */
export async function findSession(): Promise<string | null> {
  const stored = storedSession();
  if (stored !== null) {
    // Not needed to connect, but its Date header bounds the clock offset before any move arrives.
    void api.session(stored).catch(() => undefined);
    return stored;
  }
  try {
    const answer = await api.session();
    storeSession(answer.sessionId);
    return answer.sessionId;
  } catch {
    return null;
  }
}
