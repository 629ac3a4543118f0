// Routes each `action` to its handler: parse → handler → ack or client/ERROR. Bad input never
// reaches a handler; an unexpected failure is logged and answered INTERNAL, without a stack.
import type { GameCache } from "./game-cache.js";
import type { GameFeeds } from "./game-feeds.js";
import type { Presence } from "./presence.js";
import type { IoServer, IoSocket as Socket, SocketUser } from "./io.js";

export type { SocketUser } from "./io.js";
import type { AppContext } from "../context.js";
import {
  actionPayloads,
  envelopeSchema,
  isClientActionType,
  type ClientActionType,
  type ClientPayload,
} from "../protocol/actions.js";
import { AppError, errorBody, type ErrorCode } from "../protocol/errors.js";
import type { ServerAction } from "../protocol/types.js";
import type { Metrics } from "../metrics.js";

/** What the socket layer adds to the application's services: built once in server.ts. */
export interface Realtime {
  io: IoServer;
  /** This instance's copy of the live games its sockets play (never the truth; see game-cache). */
  cache: GameCache;
  /** Which sockets hold which games, and the delivery of their events. */
  feeds: GameFeeds;
  /** Who is on each game, across instances (CROWD, abandoned-game claims). */
  presence: Presence;
}

export interface ActionContext {
  app: AppContext;
  rt: Realtime;
  socket: Socket;
  user: SocketUser;
}

/** A handler returns extra ack fields, or throws an AppError to refuse. */
export type Handler<T extends ClientActionType> = (
  ctx: ActionContext,
  payload: ClientPayload<T>,
) => Promise<Record<string, unknown> | void>;

export type HandlerTable = { [T in ClientActionType]?: Handler<T> };

type AckFn = (answer: unknown) => void;

/** The user a socket speaks for (set by the handshake, replaced when a guest registers). */
export function userOf(socket: Socket): SocketUser {
  return socket.data.user;
}

export function emitTo(socket: Socket, action: ServerAction): void {
  socket.emit("action", action);
}

export function createDispatcher(
  app: AppContext,
  rt: Realtime,
  metrics: Metrics,
  handlers: HandlerTable,
) {
  return async (socket: Socket, raw: unknown, ack: unknown): Promise<void> => {
    const user = userOf(socket);
    const reply = typeof ack === "function" ? (ack as AckFn) : null;
    const envelope = envelopeSchema.safeParse(raw);
    const type = envelope.success ? envelope.data.type : "unknown";
    const refuse = (code: ErrorCode, message?: string) => {
      metrics.actions.inc({ type: isClientActionType(type) ? type : "unknown", outcome: code });
      const error = errorBody(code, message);
      if (reply) reply({ ok: false, error });
      else emitTo(socket, { type: "client/ERROR", payload: { ...error, type } });
    };
    if (!envelope.success) return refuse("INVALID_INPUT");
    if (!isClientActionType(type)) return refuse("UNKNOWN_TYPE");
    const handler: Handler<typeof type> | undefined = handlers[type];
    if (handler === undefined) return refuse("UNKNOWN_TYPE");
    const payload = actionPayloads[type].safeParse(envelope.data.payload ?? {});
    if (!payload.success) return refuse("INVALID_INPUT");
    try {
      const extra = await handler({ app, rt, socket, user }, payload.data);
      metrics.actions.inc({ type, outcome: "ok" });
      reply?.({ ok: true, ...(extra ?? {}) });
    } catch (err) {
      if (err instanceof AppError) return refuse(err.code, err.message);
      app.log.error({ err, type }, "socket action failed");
      refuse("INTERNAL");
    }
  };
}
