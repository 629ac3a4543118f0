// Keeps each socket's idea of its session current when the session changes elsewhere: a guest who
// registers from one socket (the others learn it from the RESUME_SESSION sent to the user's room),
// and a logout (the session's sockets are closed on every instance).
import type { Server, Socket } from "socket.io";
import type { ServerAction } from "../protocol/types.js";
import { rooms } from "../store/keys.js";
import type { SocketUser } from "./dispatch.js";

const SESSION_ENDED = "session-ended";

/**
 * Every socket of a user receives the RESUME_SESSION that a registration broadcasts to the user's
 * room, on whichever instance it is; its server-side user follows, so later actions of that socket
 * (say, a rated START_MATCHMAKING) see the account and not the guest.
 */
export function trackAccountChanges(socket: Socket): void {
  socket.onAnyOutgoing((event: string, action: ServerAction) => {
    if (event !== "action" || action?.type !== "client/RESUME_SESSION") return;
    const data = socket.data as { user: SocketUser };
    const next = action.payload.user;
    if (next.id !== data.user.userId) return;
    if (next.username === data.user.username && next.guest === data.user.guest) return;
    data.user = { ...data.user, username: next.username, guest: next.guest };
  });
}

async function disconnectLocal(io: Server, userId: string, sessionId: string): Promise<void> {
  const sockets = await io.in(rooms.user(userId)).local.fetchSockets();
  for (const socket of sockets) {
    if ((socket.data as { user?: SocketUser }).user?.sessionId === sessionId)
      socket.disconnect(true);
  }
}

/** Installs the listener for sessions ended on other instances. */
export function listenForEndedSessions(io: Server): void {
  io.on(SESSION_ENDED, (userId: unknown, sessionId: unknown) => {
    if (typeof userId === "string" && typeof sessionId === "string")
      void disconnectLocal(io, userId, sessionId);
  });
}

/** Closes every socket of a deleted session, here and on the other instances. */
export function endSessionSockets(io: Server, userId: string, sessionId: string): void {
  void disconnectLocal(io, userId, sessionId);
  io.serverSideEmit(SESSION_ENDED, userId, sessionId);
}
