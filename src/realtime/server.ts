// The Socket.IO server: sharded Redis adapter, handshake, the game and lobby channels, resume on
// every connection, dispatch.
import type { Server as HttpServer } from "node:http";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import { Server } from "socket.io";
import type { AppContext } from "../context.js";
import type { Metrics } from "../metrics.js";
import { AppError } from "../protocol/errors.js";
import { rooms } from "../store/keys.js";
import type { Redis } from "../store/redis.js";
import { createDispatcher, userOf, type HandlerTable, type Realtime } from "./dispatch.js";
import { GameCache } from "./game-cache.js";
import { GameFeeds } from "./game-feeds.js";
import { Presence } from "./presence.js";
import { authenticate, originAllowed, presentedSession, socketAddress } from "./handshake.js";
import type { IoServer } from "./io.js";
import { resume, type ResumeHook } from "./resume.js";
import { trackRoundTrips } from "./round-trip.js";
import { trackAccountChanges } from "./session-events.js";
import type { SocketGuard } from "./socket-rate-limit.js";
import { UserChannels } from "./user-channels.js";

/** Socket.IO's own limit on one message: a move is under 100 bytes. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

export interface RealtimeDeps {
  app: AppContext;
  metrics: Metrics;
  handlers: HandlerTable;
  resumeHooks: readonly ResumeHook[];
  pubClient: Redis;
  subClient: Redis;
  /** Runs before each action is dispatched (the per-socket rate limit); may answer `ack` itself. */
  guard?: SocketGuard;
}

/**
 * The adapter subscribes and unsubscribes as rooms come and go without handling those promises.
 * While Redis is away they wait in the client's offline queue; should the client be destroyed
 * then (an instance stopping during an outage), their rejections would go unhandled.
 */
function handleSubscriptionFailures(client: Redis, app: AppContext): Redis {
  const warn = (err: unknown) => app.log.warn({ err }, "subscription change failed");
  const subscribe = client.sSubscribe.bind(client);
  const unsubscribe = client.sUnsubscribe.bind(client);
  client.sSubscribe = ((...args: Parameters<typeof subscribe>) => {
    const done = subscribe(...args);
    done.catch(warn);
    return done;
  }) as typeof client.sSubscribe;
  client.sUnsubscribe = ((...args: Parameters<typeof unsubscribe>) => {
    const done = unsubscribe(...args);
    done.catch(warn);
    return done;
  }) as typeof client.sUnsubscribe;
  return client;
}

export interface RealtimeServer extends Realtime {
  users: UserChannels;
}

/**
 * After the subscriber reconnects (node-redis has subscribed again by its `ready`), what was
 * published in between is read from the games' logs, and every socket is resumed again (its lobby
 * events have no log: its state is what they changed).
 */
function resyncOnReconnect(
  subscriber: Redis,
  feeds: GameFeeds,
  cache: GameCache,
  users: UserChannels,
): void {
  let connected = subscriber.isReady;
  subscriber.on("ready", () => {
    // The copies missed what was published meanwhile (a takeback may have reused a ply): drop them.
    if (connected) {
      cache.clear();
      feeds.resync();
      users.resync();
    }
    connected = true;
  });
}

export function createRealtime(http: HttpServer, deps: RealtimeDeps): RealtimeServer {
  const { app, metrics, handlers } = deps;
  const io: IoServer = new Server(http, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    allowRequest: (req, callback) => callback(null, originAllowed(app.config, req)),
    adapter: createShardedAdapter(deps.pubClient, handleSubscriptionFailures(deps.subClient, app), {
      channelPrefix: app.keys.adapterChannel,
      subscriptionMode: "dynamic",
    }),
  });
  const cache = new GameCache();
  const presence = new Presence({
    redis: app.redis,
    keys: app.keys,
    log: app.log,
    heartbeatMs: app.config.PRESENCE_HEARTBEAT_MS,
  });
  const feeds = new GameFeeds({
    redis: app.redis,
    subscriber: deps.subClient,
    keys: app.keys,
    cache,
    log: app.log,
    presence,
  });
  const rt: Realtime = { io, cache, feeds, presence };
  const users = new UserChannels({
    subscriber: deps.subClient,
    resume: (socket) => resume({ app, rt, socket }, deps.resumeHooks),
    keys: app.keys,
    feeds,
    log: app.log,
  });
  resyncOnReconnect(deps.subClient, feeds, cache, users);
  const dispatch = createDispatcher(app, rt, metrics, handlers);

  io.use((socket, next) => {
    authenticate(
      app,
      presentedSession(socket.handshake),
      socketAddress(app.config, socket.handshake),
    )
      .then((user) => {
        socket.data.user = user;
        next();
      })
      .catch((err: unknown) => {
        // The client sees the code as the connect_error's message (RATE_LIMITED for a guest flood).
        if (err instanceof AppError) return next(new Error(err.code));
        app.log.warn({ err }, "handshake failed");
        next(new Error("INTERNAL"));
      });
  });

  io.on("connection", (socket) => {
    const user = userOf(socket);
    void socket.join(rooms.user(user.userId));
    trackAccountChanges(socket);
    trackRoundTrips(socket);
    socket.on("action", (raw: unknown, ack: unknown) => {
      const run = () => void dispatch(socket, raw, ack);
      if (deps.guard) deps.guard(socket, raw, ack, run);
      else run();
    });
    socket.on("disconnect", () => {
      users.remove(socket);
      feeds.closeAll(socket);
    });
    // Listen to the user's lobby channel first: what RESUME_SESSION then reads is all that came
    // before, and the channel brings everything after.
    users
      .add(socket)
      .then(() => resume({ app, rt, socket }, deps.resumeHooks))
      .then(() => users.ready(socket))
      .catch((err: unknown) => {
        app.log.error({ err }, "resume failed");
        socket.disconnect(true);
      });
  });
  return { ...rt, users };
}
