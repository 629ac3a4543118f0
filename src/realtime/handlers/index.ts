// Every socket action handler, and the steps run on every connection after RESUME_SESSION.
import type { AppContext } from "../../context.js";
import type { HandlerTable } from "../dispatch.js";
import type { ResumeHook } from "../resume.js";
import { socketRateLimit, type SocketGuard } from "../socket-rate-limit.js";
import { registerUser } from "./account.js";
import { challengeHandlers } from "./challenges.js";
import { gameHandlers, resumeGame } from "./game.js";
import { cancelMatchmaking, replyMatchup, startMatchmaking } from "./matchmaking.js";
import { rematchHandlers } from "./rematch.js";

export const handlers: HandlerTable = {
  "server/REGISTER_USER": registerUser,
  ...gameHandlers,
  "server/START_MATCHMAKING": startMatchmaking,
  "server/CANCEL_MATCHMAKING": cancelMatchmaking,
  "server/REPLY_MATCHUP": replyMatchup,
  ...challengeHandlers,
  ...rematchHandlers,
};

export const resumeHooks: ResumeHook[] = [resumeGame];

/** Per-socket admission of each action (rate limit); runs before parsing. */
export function socketGuard(ctx: AppContext): SocketGuard {
  return socketRateLimit(ctx.config);
}
