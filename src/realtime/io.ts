// The typed Socket.IO of this server: one event, `action`, both ways (PROTOCOL.md), one
// inter-instance event, and what each socket carries.
import type { Server, Socket } from "socket.io";
import type { ServerAction } from "../protocol/types.js";

/** Who a socket speaks for: set by the handshake, replaced when a guest registers. */
export interface SocketUser {
  sessionId: string;
  userId: string;
  username: string;
  guest: boolean;
}

export interface ClientToServerEvents {
  /** `{type, payload}`, parsed at the edge (dispatch.ts); `ack` is the client's callback, if any. */
  action: (raw: unknown, ack: unknown) => void;
}

export interface ServerToClientEvents {
  action: (action: ServerAction) => void;
}

/** No instance talks to another through Socket.IO: what they share goes through Redis. */
export type InterServerEvents = Record<string, never>;

export interface SocketData {
  user: SocketUser;
  /** The smoothed round trip of the socket's heartbeat, ms (round-trip.ts); unset before one. */
  rttMs?: number;
  /** The socket holds games only as a watcher (presence.ts): the watchers' message limit applies. */
  watchOnly?: boolean;
}

export type IoServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type IoSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
