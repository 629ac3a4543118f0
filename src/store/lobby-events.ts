// What travels on a user's lobby channel (keys.userEvents): the lobby events that the matchmaking
// and challenge scripts publish in the step that commits them, and the end of a session, which closes that
// session's sockets on every instance (realtime/user-channels.ts).
import type { AppContext } from "../context.js";
import type { ServerAction } from "../protocol/types.js";

export type LobbyEvent = Extract<
  ServerAction,
  {
    type:
      | "client/PROPOSE_MATCHUP"
      | "client/MATCHUP_CANCELLED"
      | "client/START_GAME"
      | "client/CHALLENGE"
      | "client/CHALLENGE_CANCELLED"
      | "client/REMATCH_OFFERED"
      | "client/REMATCH_DECLINED";
  }
>;

export type LobbyMessage = LobbyEvent | { type: "session-ended"; sessionId: string };

/**
 * Closes the sockets of a deleted session wherever they are. The session is gone already, so a
 * socket that this misses (Redis away) is refused at its next connection; never rejects.
 */
export async function announceSessionEnded(
  ctx: Pick<AppContext, "redis" | "keys" | "log">,
  userId: string,
  sessionId: string,
): Promise<void> {
  const message: LobbyMessage = { type: "session-ended", sessionId };
  try {
    await ctx.redis.sPublish(ctx.keys.userEvents(userId), JSON.stringify(message));
  } catch (err) {
    ctx.log.warn({ err, userId }, "session end not announced");
  }
}
