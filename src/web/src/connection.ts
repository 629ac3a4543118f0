// The socket: websocket transport, every message the event `action` {type, payload}. The session
// travels in the cookie of the same-origin handshake, never in the URL (proxies log URLs).
// Socket.IO reconnects by itself; the caller shows a banner meanwhile.
import { io, type Socket } from "socket.io-client";
import type { Ack, ServerAction } from "../../protocol/types.js";

export interface ConnectionEvents {
  onAction: (action: ServerAction, receivedAt: number) => void;
  onStatus: (connected: boolean) => void;
}

export interface Connection {
  /** Sends with an acknowledgement; a socket that stays silent counts as a refusal. */
  send: (type: string, payload?: unknown) => Promise<Ack>;
  /**
   * Names the session in the handshake's `auth` payload from the next reconnection on: for the
   * session that the server gave this socket when the cookie's was gone (a new guest).
   */
  setSession: (sessionId: string) => void;
  close: () => void;
}

const ACK_TIMEOUT_MS = 10_000;

export function openConnection(events: ConnectionEvents): Connection {
  const socket: Socket = io({
    transports: ["websocket"],
    reconnectionDelay: 300,
    reconnectionDelayMax: 3000,
  });
  socket.on("action", (action: ServerAction) => events.onAction(action, Date.now()));
  socket.on("connect", () => events.onStatus(true));
  socket.on("disconnect", (reason) => {
    events.onStatus(false);
    // The server closing us (e.g. an instance shutting down) is not retried by Socket.IO itself.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", () => events.onStatus(false));
  return {
    async send(type, payload) {
      try {
        return (await socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck("action", { type, payload: payload ?? {} })) as Ack;
      } catch {
        return { ok: false, error: { code: "NETWORK", message: "no answer" } };
      }
    },
    setSession(id) {
      socket.auth = { session: id };
    },
    close() {
      socket.removeAllListeners();
      socket.close();
    },
  };
}
