// The Socket.IO server: sharded Redis adapter, handshake, resume on every connection, dispatch.
import type { Server as HttpServer } from "node:http";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import { Server, type Socket } from "socket.io";
import type { AppContext } from "../context.js";
import type { Metrics } from "../metrics.js";
import { rooms } from "../store/keys.js";
import type { Redis } from "../store/redis.js";
import { createDispatcher, type HandlerTable } from "./dispatch.js";
import { authenticate, originAllowed } from "./handshake.js";
import { resume, type ResumeHook } from "./resume.js";

/** Socket.IO's own limit on one message: a move is under 100 bytes. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

export interface RealtimeDeps {
  app: AppContext;
  metrics: Metrics;
  handlers: HandlerTable;
  resumeHooks: readonly ResumeHook[];
  pubClient: Redis;
  subClient: Redis;
  /** Called for every socket before its actions are dispatched (e.g. a per-socket rate limit). */
  guard?: (socket: Socket, next: () => void) => void;
}

export function createRealtime(http: HttpServer, deps: RealtimeDeps): Server {
  const { app, metrics, handlers } = deps;
  const io = new Server(http, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    allowRequest: (req, callback) => callback(null, originAllowed(app.config, req)),
    adapter: createShardedAdapter(deps.pubClient, deps.subClient, {
      channelPrefix: app.keys.adapterChannel,
      subscriptionMode: "dynamic",
    }),
  });
  const dispatch = createDispatcher(app, metrics, handlers);

  io.use((socket, next) => {
    authenticate(app, socket.handshake.query.session)
      .then((user) => {
        socket.data.user = user;
        next();
      })
      .catch((err: unknown) => {
        app.log.warn({ err }, "handshake failed");
        next(new Error("INTERNAL"));
      });
  });

  io.on("connection", (socket) => {
    const user = socket.data.user as { userId: string };
    void socket.join(rooms.user(user.userId));
    socket.on("action", (raw: unknown, ack: unknown) => {
      const run = () => void dispatch(socket, raw, ack);
      if (deps.guard) deps.guard(socket, run);
      else run();
    });
    resume(app, socket, deps.resumeHooks).catch((err: unknown) => {
      app.log.error({ err }, "resume failed");
      socket.disconnect(true);
    });
  });
  return io;
}
