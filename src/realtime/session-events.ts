// Keeps each socket's idea of its session current when the session changes elsewhere: a guest who
// registers from one socket (the others learn it from the RESUME_SESSION sent to the user's room).
// A logout closes the session's sockets through the user's lobby channel (user-channels.ts).
import type { IoSocket as Socket } from "./io.js";
import type { ServerAction } from "../protocol/types.js";

/**
 * Every socket of a user receives the RESUME_SESSION that a registration broadcasts to the user's
 * room, on whichever instance it is; its server-side user follows, so later actions of that socket
 * (say, a rated START_MATCHMAKING) see the account and not the guest.
 */
export function trackAccountChanges(socket: Socket): void {
  socket.onAnyOutgoing((event: string, action: ServerAction) => {
    if (event !== "action" || action?.type !== "client/RESUME_SESSION") return;
    const data = socket.data;
    const next = action.payload.user;
    if (next.id !== data.user.userId) return;
    if (next.username === data.user.username && next.guest === data.user.guest) return;
    data.user = { ...data.user, username: next.username, guest: next.guest };
  });
}
