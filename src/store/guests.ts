// Guests: a generated name and a session, nothing in MongoDB until the guest registers.
import { randomInt } from "node:crypto";
import type { AppContext } from "../context.js";
import { newId } from "./ids.js";
import { createSession, type SessionRecord } from "./sessions.js";

/** Whether a username is a generated guest name (no account may take one: store/accounts.ts). */
export const isGuestName = (username: string): boolean => /^guest-/i.test(username);

export function guestName(): string {
  return `Guest-${randomInt(0, 36 ** 6)
    .toString(36)
    .padStart(6, "0")}`;
}

/** The guest that a generated name (any letter case) names, while its session may live. */
export async function findGuestByName(
  ctx: Pick<AppContext, "redis" | "keys">,
  username: string,
): Promise<{ id: string; username: string } | null> {
  const raw = await ctx.redis.get(ctx.keys.guestName(username.toLowerCase()));
  return raw === null ? null : (JSON.parse(raw) as { id: string; username: string });
}

export async function createGuestSession(
  ctx: Pick<AppContext, "redis" | "keys" | "config">,
): Promise<{ sessionId: string; session: SessionRecord }> {
  const session: SessionRecord = {
    userId: newId(),
    username: guestName(),
    guest: true,
    createdAt: Date.now(),
  };
  const sessionId = await createSession(ctx, session);
  // Accounts live in MongoDB; a guest can be found by name (a challenge `to` it) only here.
  await ctx.redis.set(
    ctx.keys.guestName(session.username.toLowerCase()),
    JSON.stringify({ id: session.userId, username: session.username }),
    { EX: ctx.config.SESSION_TTL_S },
  );
  return { sessionId, session };
}
