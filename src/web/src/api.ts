// The HTTP API of PROTOCOL.md: accounts, session, profiles, game history. Every error body is
// {error: {code, message}}; it becomes an ApiError carrying the code.
import type { Challenge, Game, LiveState, PublicUser, Ratings } from "../../protocol/types.js";

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
  ) {
    super(code);
  }
}

export interface SessionAnswer {
  sessionId: string;
  user: PublicUser;
  state?: LiveState;
}

export interface Profile {
  username: string;
  ratings: Ratings;
  games: { total: number; wins: number; losses: number; draws: number };
  createdAt: number;
}

export interface GamePage {
  games: Game[];
  next: string | number | null;
}

/** Called with each response's Date header, to bound the client–server clock offset. */
type DateObserver = (dateMs: number, sentAt: number, receivedAt: number) => void;
let observeDate: DateObserver = () => {};

export function onServerDate(observer: DateObserver): void {
  observeDate = observer;
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  sessionId?: string | null,
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (sessionId) headers.authorization = `Bearer ${sessionId}`;
  const sentAt = Date.now();
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError("NETWORK", 0);
  }
  const date = res.headers.get("date");
  if (date !== null) observeDate(Date.parse(date), sentAt, Date.now());
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const code = (data as { error?: { code?: string } } | null)?.error?.code ?? "INTERNAL";
    throw new ApiError(code, res.status);
  }
  return data as T;
}

const enc = encodeURIComponent;

export const api = {
  register: (username: string, password: string) =>
    request<SessionAnswer>("POST", "/api/register", { username, password }),
  login: (username: string, password: string) =>
    request<SessionAnswer>("POST", "/api/login", { username, password }),
  guest: () => request<SessionAnswer>("POST", "/api/guest"),
  logout: (sessionId: string | null) => request<void>("POST", "/api/logout", undefined, sessionId),
  /** The session of the `sid` cookie (or the given id). */
  session: (sessionId?: string | null) =>
    request<SessionAnswer>("GET", "/api/session", undefined, sessionId),
  profile: (username: string) => request<Profile>("GET", `/api/users/${enc(username)}`),
  games: (username: string, limit: number, before?: string | number | null) => {
    const query = `limit=${limit}${before === undefined || before === null ? "" : `&before=${enc(String(before))}`}`;
    return request<GamePage>("GET", `/api/users/${enc(username)}/games?${query}`);
  },
  game: (id: string) => request<Game>("GET", `/api/games/${enc(id)}`),
  liveGames: (limit: number) =>
    request<{ games: Game[] }>("GET", `/api/games?status=live&limit=${limit}`),
  pgnUrl: (id: string) => `/api/games/${enc(id)}/pgn`,
  challenge: (id: string) => request<{ challenge: Challenge }>("GET", `/api/challenges/${enc(id)}`),
};
