// server/REGISTER_USER: a guest becomes an account under the same user id, so that its live state,
// queue place and game (all keyed by user id in Redis) simply carry on.
import type { AppContext } from "../../context.js";
import { AppError } from "../../protocol/errors.js";
import type { PublicUser, ServerAction } from "../../protocol/types.js";
import { accountOfGuest, createAccount, type Credentials } from "../../store/accounts.js";
import { listChallenges } from "../../store/challenges.js";
import { rooms } from "../../store/keys.js";
import { getLiveState } from "../../store/live-state.js";
import { rateLimits } from "../../store/rate-limits.js";
import { updateUserSessions } from "../../store/sessions.js";
import type { Handler } from "../dispatch.js";
import { socketAddress } from "../handshake.js";

/**
 * The account made for this guest: a new one, or the one that an earlier attempt with the same
 * credentials inserted before failing to rewrite the sessions (a crash, Redis away), so that the
 * retry completes it. Another attempt with other credentials is still refused (UNAUTHORIZED).
 */
async function createOrResumeAccount(
  app: AppContext,
  credentials: Credentials,
  userId: string,
): Promise<PublicUser> {
  try {
    return await createAccount(app, credentials, userId);
  } catch (err) {
    if (!(err instanceof AppError && err.code === "UNAUTHORIZED")) throw err;
    const existing = await accountOfGuest(app, userId, credentials);
    if (existing === null) throw err;
    return existing;
  }
}

/**
 * A guest has exactly one session (each guest is made with its own), so every socket of the user
 * holds the session id sent here: the RESUME_SESSION goes to the whole user room, on every
 * instance, and each of those sockets updates its server-side user from it (session-events.ts).
 */
export const registerUser: Handler<"server/REGISTER_USER"> = async (
  { app, rt, socket, user },
  payload,
) => {
  if (!user.guest)
    throw new AppError("UNAUTHORIZED", "Only a guest can register; this user has an account.");
  await rateLimits(app).consume("registerPerAddress", socketAddress(app.config, socket.handshake));
  const account = await createOrResumeAccount(app, payload, user.userId);
  await updateUserSessions(app, user.userId, { username: account.username, guest: false });
  // The guest's name no longer names anyone (challenges by name).
  await app.redis.del(app.keys.guestName(user.username.toLowerCase()));
  socket.data.user = {
    ...user,
    username: account.username,
    guest: false,
  };
  const resume: ServerAction = {
    type: "client/RESUME_SESSION",
    payload: {
      sessionId: user.sessionId,
      user: account,
      state: await getLiveState(app, user.userId),
      challenges: await listChallenges(app, user.userId),
    },
  };
  rt.io.to(rooms.user(user.userId)).emit("action", resume);
  return { sessionId: user.sessionId, user: account };
};
