// Guests: a generated name and a session, nothing in MongoDB until the guest registers.
import { randomInt } from "node:crypto";
import type { AppContext } from "../context.js";
import { newId } from "./ids.js";
import { createSession, type SessionRecord } from "./sessions.js";

export function guestName(): string {
  return `Guest-${randomInt(0, 36 ** 6)
    .toString(36)
    .padStart(6, "0")}`;
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
  return { sessionId, session };
}
