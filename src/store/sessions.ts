// Sessions in Redis: a 256-bit id pointing at a user, with a sliding TTL, and a bounded number of
// them per user.
import type { AppContext } from "../context.js";
import { newSessionId } from "./ids.js";
import { durable } from "./replication.js";

/** The cookie that carries a session for browsers (HTTP, and the browser's socket handshake). */
export const SESSION_COOKIE = "sid";

/**
 * Live sessions a registered user may hold: a login past it ends the one used least recently.
 * Enough for every device of a player; it bounds what a loop of logins leaves in Redis.
 */
export const MAX_SESSIONS_PER_USER = 20;

export interface SessionRecord {
  userId: string;
  username: string;
  guest: boolean;
  createdAt: number;
}

type Ctx = Pick<AppContext, "redis" | "keys" | "config">;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * The session and the user's set of sessions live in two hash slots (each carries its owner's
 * tag), so they are written in two steps: the session, then its entry in the set. The entry is
 * written again on every use of the session (`getSession`), so a session whose entry was lost to
 * a crash between the two steps is listed again as soon as it is used. (The other order would let
 * a concurrent login's pruning take the entry of a session not yet written.)
 */
export async function createSession(ctx: Ctx, record: SessionRecord): Promise<string> {
  const sessionId = newSessionId();
  const ttl = ctx.config.SESSION_TTL_S;
  const sessionKey = ctx.keys.session(sessionId);
  await ctx.redis.set(sessionKey, JSON.stringify(record), { EX: ttl });
  await listSession(ctx, record.userId, sessionId);
  await durable(ctx.redis, sessionKey, ctx.keys.userSessions(record.userId));
  return sessionId;
}

/** The session's entry in its user's set, which slides with the sessions it lists. */
async function listSession(ctx: Ctx, userId: string, sessionId: string): Promise<void> {
  const setKey = ctx.keys.userSessions(userId);
  await ctx.redis.multi().sAdd(setKey, sessionId).expire(setKey, ctx.config.SESSION_TTL_S).exec();
}

/**
 * Starts a session of a registered user (a login), and keeps the user's sessions bounded: drops
 * the set's entries whose session is gone, and ends the least recently used sessions past
 * MAX_SESSIONS_PER_USER. Returns the ended ones, whose sockets the caller closes.
 */
export async function createUserSession(
  ctx: Ctx,
  record: SessionRecord,
): Promise<{ sessionId: string; ended: string[] }> {
  const sessionId = await createSession(ctx, record);
  return { sessionId, ended: await capUserSessions(ctx, record.userId, sessionId) };
}

/**
 * A sliding TTL means that the session with the least time left is the one used least recently;
 * a session with no TTL at all (-1) could only be a leftover of an old bug, and goes first.
 * Concurrent logins order the sessions alike, so their caps end the same ones.
 */
async function capUserSessions(ctx: Ctx, userId: string, keep: string): Promise<string[]> {
  const setKey = ctx.keys.userSessions(userId);
  const ids = await ctx.redis.sMembers(setKey);
  const ttls = await Promise.all(ids.map((id) => ctx.redis.pTTL(ctx.keys.session(id))));
  const gone = ids.filter((_, i) => ttls[i] === -2);
  const live = ids
    .map((id, i) => ({ id, ttlMs: ttls[i]! }))
    .filter((s) => s.ttlMs !== -2 && s.id !== keep)
    .sort((a, b) => a.ttlMs - b.ttlMs || (a.id < b.id ? -1 : 1));
  const ended = live
    .slice(0, Math.max(0, live.length + 1 - MAX_SESSIONS_PER_USER))
    .map((s) => s.id);
  // One key per command: session keys are each in a slot of their own.
  await Promise.all(ended.map((id) => ctx.redis.del(ctx.keys.session(id))));
  if (gone.length + ended.length > 0) await ctx.redis.sRem(setKey, [...gone, ...ended]);
  return ended;
}

/** Looks a session up and slides its TTL; null for an unknown, expired or malformed id. */
export async function getSession(ctx: Ctx, sessionId: unknown): Promise<SessionRecord | null> {
  if (typeof sessionId !== "string" || !SESSION_ID.test(sessionId)) return null;
  const ttl = ctx.config.SESSION_TTL_S;
  const raw = await ctx.redis.getEx(ctx.keys.session(sessionId), { EX: ttl });
  if (raw === null) return null;
  const record = JSON.parse(raw) as SessionRecord;
  // The user's set of sessions slides too, or it could expire before a session it lists.
  await listSession(ctx, record.userId, sessionId);
  return record;
}

/** The session first, then its entry in the user's set (an entry left by a crash is pruned). */
export async function deleteSession(ctx: Ctx, sessionId: string): Promise<SessionRecord | null> {
  const record = await getSession(ctx, sessionId);
  if (record === null) return null;
  const setKey = ctx.keys.userSessions(record.userId);
  const sessionKey = ctx.keys.session(sessionId);
  await ctx.redis.del(sessionKey);
  await ctx.redis.sRem(setKey, sessionId);
  await durable(ctx.redis, sessionKey, setKey);
  return record;
}

/**
 * Rewrites every live session of a user, e.g. when a guest registers. `XX`: a session deleted
 * between the read and the write (a logout) stays deleted, instead of coming back with no TTL.
 */
export async function updateUserSessions(
  ctx: Ctx,
  userId: string,
  patch: Partial<Pick<SessionRecord, "username" | "guest">>,
): Promise<void> {
  const ids = await ctx.redis.sMembers(ctx.keys.userSessions(userId));
  for (const id of ids) {
    const raw = await ctx.redis.get(ctx.keys.session(id));
    if (raw === null) {
      await ctx.redis.sRem(ctx.keys.userSessions(userId), id);
      continue;
    }
    const record = { ...(JSON.parse(raw) as SessionRecord), ...patch };
    await ctx.redis.set(ctx.keys.session(id), JSON.stringify(record), {
      expiration: "KEEPTTL",
      condition: "XX",
    });
  }
  await durable(ctx.redis, ...ids.map((id) => ctx.keys.session(id)));
}
