// Sessions in Redis: a 256-bit id pointing at a user, with a sliding TTL.
import type { AppContext } from "../context.js";
import { newSessionId } from "./ids.js";

export interface SessionRecord {
  userId: string;
  username: string;
  guest: boolean;
  createdAt: number;
}

type Ctx = Pick<AppContext, "redis" | "keys" | "config">;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export async function createSession(ctx: Ctx, record: SessionRecord): Promise<string> {
  const sessionId = newSessionId();
  const ttl = ctx.config.SESSION_TTL_S;
  await ctx.redis
    .multi()
    .set(ctx.keys.session(sessionId), JSON.stringify(record), { EX: ttl })
    .sAdd(ctx.keys.userSessions(record.userId), sessionId)
    .expire(ctx.keys.userSessions(record.userId), ttl)
    .exec();
  return sessionId;
}

/** Looks a session up and slides its TTL; null for an unknown, expired or malformed id. */
export async function getSession(ctx: Ctx, sessionId: unknown): Promise<SessionRecord | null> {
  if (typeof sessionId !== "string" || !SESSION_ID.test(sessionId)) return null;
  const ttl = ctx.config.SESSION_TTL_S;
  const raw = await ctx.redis.getEx(ctx.keys.session(sessionId), { EX: ttl });
  if (raw === null) return null;
  const record = JSON.parse(raw) as SessionRecord;
  // The user's set of sessions slides too, or it could expire before a session it lists.
  await ctx.redis.expire(ctx.keys.userSessions(record.userId), ttl);
  return record;
}

export async function deleteSession(ctx: Ctx, sessionId: string): Promise<SessionRecord | null> {
  const record = await getSession(ctx, sessionId);
  if (record === null) return null;
  await ctx.redis
    .multi()
    .del(ctx.keys.session(sessionId))
    .sRem(ctx.keys.userSessions(record.userId), sessionId)
    .exec();
  return record;
}

/** Rewrites every live session of a user, e.g. when a guest registers. */
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
    await ctx.redis.set(ctx.keys.session(id), JSON.stringify(record), { KEEPTTL: true });
  }
}
