// Builds one server instance: clients, services, HTTP, Socket.IO and background jobs. Nothing here
// holds state that is not in Redis or MongoDB, so any number of instances can run side by side.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Config } from "./config.js";
import type { AppContext } from "./context.js";
import { createHttpApp } from "./http/app.js";
import { apiRouters } from "./http/routes.js";
import { startJobs, type Jobs } from "./jobs/index.js";
import { createLogger, type Logger } from "./log.js";
import { createMetrics, type Metrics } from "./metrics.js";
import type { IoServer } from "./realtime/io.js";
import { createRealtime, type RealtimeServer } from "./realtime/server.js";
import { handlers, resumeHooks, socketGuard } from "./realtime/handlers/index.js";
import { createKeys } from "./store/keys.js";
import { createMongo, ensureIndexes } from "./store/mongo.js";
import { closeRedis, connectRedis, createRedis } from "./store/redis.js";

/** How long a stopping instance lets its clients answer the close of their sockets. */
const CLOSE_GRACE_MS = 1_000;

export interface Instance {
  url: string;
  ctx: AppContext;
  io: IoServer;
  /** The socket layer's services (tests look at what it listens to). */
  rt: RealtimeServer;
  http: HttpServer;
  metrics: Metrics;
  close: () => Promise<void>;
}

export async function startInstance(
  config: Config,
  log: Logger = createLogger(config.LOG_LEVEL),
): Promise<Instance> {
  const onRedisError = (err: Error) => log.warn({ err: err.message }, "redis connection error");
  const redis = createRedis(config, onRedisError, { queueWhileOffline: false });
  const pubClient = createRedis(config, onRedisError);
  const subClient = createRedis(config, onRedisError);
  const mongo = createMongo(config.MONGO_URL);
  try {
    await Promise.all([
      connectRedis(config, [redis, pubClient, subClient]),
      mongo.client.connect(),
    ]);
  } catch (err) {
    // A start that fails leaves nothing open behind it (a test, or a supervisor, goes on).
    await Promise.allSettled([
      ...[redis, pubClient, subClient].map((c) => closeRedis(c, 100)),
      mongo.client.close(),
    ]);
    throw err;
  }
  await ensureIndexes(mongo.db);

  const ctx: AppContext = { config, log, redis, keys: createKeys(config.REDIS_PREFIX), mongo };
  const metrics = createMetrics();
  const http = createServer(createHttpApp(ctx, metrics, apiRouters(ctx)));
  const rt = createRealtime(http, {
    app: ctx,
    metrics,
    handlers,
    resumeHooks,
    pubClient,
    subClient,
    guard: socketGuard(ctx),
  });
  const io = rt.io;
  // Every TCP connection, upgraded websockets included (the HTTP server's own closeAllConnections
  // no longer sees those), so that a stop can cut the ones that do not end by themselves.
  const connections = new Set<Socket>();
  http.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
  });
  const jobs: Jobs = startJobs(ctx, {
    archiveDeadLetter: () => metrics.archiveDeadLetters.inc(),
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.PORT, config.HOST, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const url = `http://${config.HOST}:${port}`;
  log.info({ url }, "instance listening");

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      await jobs.stop();
      // Closing the sockets tells clients to reconnect, to another instance behind the balancer.
      // The HTTP server then waits for every connection to end: a client that never answers its
      // close (gone, or frozen) would hold the shutdown until SHUTDOWN_TIMEOUT_MS forced it. After
      // a grace for the close frames to go out and be answered, what is left is cut.
      const closed = new Promise<void>((resolve) => void io.close(() => resolve()));
      const cut = setTimeout(() => {
        for (const socket of connections) socket.destroy();
      }, CLOSE_GRACE_MS);
      await closed;
      clearTimeout(cut);
      rt.presence.stop();
      metrics.stop();
      await Promise.allSettled([
        closeRedis(redis),
        closeRedis(pubClient),
        closeRedis(subClient),
        mongo.client.close(),
      ]);
    })();
    return closing;
  };
  return { url, ctx, io, rt, http, metrics, close };
}
