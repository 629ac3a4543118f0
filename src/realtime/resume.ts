// What every connection receives first: client/RESUME_SESSION, then client/RESUME_GAME while the
// user plays. Everything comes from Redis (and MongoDB for ratings), so any instance can answer.
import type { AppContext } from "../context.js";
import type { LiveState } from "../protocol/types.js";
import { listChallenges } from "../store/challenges.js";
import { getLiveState } from "../store/live-state.js";
import { loadPublicUser } from "../store/users.js";
import { emitTo, userOf, type ActionContext } from "./dispatch.js";
import type { IoSocket as Socket } from "./io.js";

/**
 * Extra steps after RESUME_SESSION, registered by the game layer (RESUME_GAME). They get the state
 * RESUME_SESSION told, not a later read: a socket told "playing" gets that game, even one that
 * ended in between (its RESUME_GAME then says so), rather than nothing.
 */
export type ResumeHook = (ctx: ActionContext, told: LiveState) => Promise<void>;

export async function sendResumeSession(app: AppContext, socket: Socket): Promise<LiveState> {
  const user = userOf(socket);
  const [publicUser, state, challenges] = await Promise.all([
    loadPublicUser(app, { ...user, createdAt: 0 }),
    getLiveState(app, user.userId),
    listChallenges(app, user.userId),
  ]);
  emitTo(socket, {
    type: "client/RESUME_SESSION",
    payload: { sessionId: user.sessionId, user: publicUser, state, challenges },
  });
  return state;
}

export async function resume(
  ctx: Omit<ActionContext, "user">,
  hooks: readonly ResumeHook[],
): Promise<void> {
  const told = await sendResumeSession(ctx.app, ctx.socket);
  for (const hook of hooks) await hook({ ...ctx, user: userOf(ctx.socket) }, told);
}
