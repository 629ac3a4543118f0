// Every socket action handler, and the steps run on every connection after RESUME_SESSION.
import type { Socket } from "socket.io";
import type { AppContext } from "../../context.js";
import type { HandlerTable } from "../dispatch.js";
import type { ResumeHook } from "../resume.js";

export const handlers: HandlerTable = {};

export const resumeHooks: ResumeHook[] = [];

/** Per-socket admission of each action (rate limit); runs before parsing. */
export function socketGuard(_ctx: AppContext): (socket: Socket, next: () => void) => void {
  return (_socket, next) => next();
}
