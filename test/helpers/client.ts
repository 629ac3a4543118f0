// A protocol client for tests: a real socket.io-client speaking `action` {type, payload}.
import { io, type Socket } from "socket.io-client";
import type { Ack, ServerAction, ServerEvents, ServerEventType } from "../../src/protocol/types.js";

export interface TestClient {
  socket: Socket;
  /** Every action received so far, in order. */
  received: ServerAction[];
  /** Resolves with the next (or an already received, not yet consumed) action of that type. */
  next<T extends ServerEventType>(type: T, timeoutMs?: number): Promise<ServerEvents[T]>;
  /** Like next, but only an action whose payload matches; others stay unconsumed. */
  nextWhere<T extends ServerEventType>(
    type: T,
    match: (payload: ServerEvents[T]) => boolean,
    timeoutMs?: number,
  ): Promise<ServerEvents[T]>;
  send(type: string, payload?: unknown, timeoutMs?: number): Promise<Ack>;
  /** Sends with no acknowledgement callback, so errors come back as client/ERROR. */
  fire(type: string, payload?: unknown): void;
  close(): void;
}

export function connect(
  url: string,
  session?: string,
  extra: { origin?: string } = {},
): TestClient {
  const socket = io(url, {
    transports: ["websocket"],
    query: session ? { session } : {},
    reconnection: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    extraHeaders: extra.origin ? { origin: extra.origin } : {},
    forceNew: true,
  });
  const received: ServerAction[] = [];
  const consumed = new Set<number>();
  const waiters: { type: string; match: (p: never) => boolean; resolve: (p: unknown) => void }[] =
    [];
  socket.on("action", (action: ServerAction) => {
    received.push(action);
    const i = waiters.findIndex((w) => w.type === action.type && w.match(action.payload as never));
    if (i >= 0) {
      consumed.add(received.length - 1);
      const [w] = waiters.splice(i, 1);
      w!.resolve(action.payload);
    }
  });
  return {
    socket,
    received,
    next(type, timeoutMs = 10_000) {
      return this.nextWhere(type, () => true, timeoutMs);
    },
    nextWhere(type, match, timeoutMs = 10_000) {
      const idx = received.findIndex(
        (a, i) =>
          a.type === type && !consumed.has(i) && match(a.payload as ServerEvents[typeof type]),
      );
      if (idx >= 0) {
        consumed.add(idx);
        return Promise.resolve(received[idx]!.payload as ServerEvents[typeof type]);
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          type,
          match: match as (p: never) => boolean,
          resolve: resolve as (p: unknown) => void,
        };
        waiters.push(waiter);
        setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`timed out waiting for ${type}`));
          }
        }, timeoutMs).unref();
      });
    },
    send(type, payload, timeoutMs = 10_000) {
      return socket.timeout(timeoutMs).emitWithAck("action", { type, payload }) as Promise<Ack>;
    },
    fire(type, payload) {
      socket.emit("action", { type, payload });
    },
    close() {
      socket.close();
    },
  };
}
