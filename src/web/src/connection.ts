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
  /** The smoothed round trip of acknowledged requests, ms; null before the first answer. */
  lagMs: () => number | null;
  close: () => void;
}

const ACK_TIMEOUT_MS = 10_000;
/** Weight of a new round trip in the moving average of the lag. */
const LAG_ALPHA = 0.3;

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
  let lag: number | null = null;
  return {
    async send(type, payload) {
      try {
        const sent = performance.now();
        const ack = (await socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck("action", { type, payload: payload ?? {} })) as Ack;
        // The time to an answer is the network's round trip and a little of the server's work.
        const rtt = performance.now() - sent;
        lag = lag === null ? rtt : lag + LAG_ALPHA * (rtt - lag);
        return ack;
      } catch {
        return { ok: false, error: { code: "NETWORK", message: "no answer" } };
      }
    },
    lagMs: () => (lag === null ? null : Math.round(lag)),
    setSession(id) {
      socket.auth = { session: id };
    },
    close() {
      socket.removeAllListeners();
      socket.close();
    },
  };
}
