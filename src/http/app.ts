// The Express app: security headers, JSON bodies, the API routers, the browser client, errors.
import { existsSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { fileURLToPath } from "node:url";
import express, { type Router } from "express";
import helmet from "helmet";
import { trustFunction } from "../client-address.js";
import type { Config } from "../config.js";
import type { AppContext } from "../context.js";
import type { Metrics } from "../metrics.js";
import { errorHandler, sendError } from "./errors.js";
import { healthRouter } from "./health.js";

/** The built browser client (vite output), served at `/` when present. */
const WEB_DIST = fileURLToPath(new URL("../../../src/web/dist/", import.meta.url));

const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Where the page may open connections: its own origin (the socket's ws:// or wss:// of the host it
 * was served from, as browsers before CSP level 3 do not count it under 'self') and the origins of
 * ALLOWED_ORIGINS; never any host at all.
 */
export function connectSources(config: Config): (string | ((req: IncomingMessage) => string))[] {
  const listed = config.ALLOWED_ORIGINS.flatMap((origin) => [
    origin,
    origin.replace(/^http/i, "ws"),
  ]);
  const ownOrigin = (req: IncomingMessage) => {
    const forwarded = req.headers["x-forwarded-host"];
    const host = typeof forwarded === "string" ? forwarded : req.headers.host;
    const valid = typeof host === "string" && HOST.test(host);
    return valid ? `'self' ws://${host} wss://${host}` : "'self'";
  };
  return [ownOrigin, ...listed];
}

export function createHttpApp(ctx: AppContext, metrics: Metrics, routers: Router[]) {
  const app = express();
  app.disable("x-powered-by");
  // `req.ip` is then the client as TRUST_PROXY says, the same rule as the socket handshake's.
  app.set("trust proxy", trustFunction(ctx.config));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          "connect-src": connectSources(ctx.config),
          "img-src": ["'self'", "data:"],
          // Helmet's default would turn the client's own scripts into https:// requests on a plain
          // HTTP host other than localhost (the local stack on a LAN address): nothing would load.
          "upgrade-insecure-requests": null,
        },
      },
    }),
  );
  app.use(healthRouter(ctx, metrics));
  app.use(express.json({ limit: "16kb", strict: true }));
  for (const router of routers) app.use(router);
  app.use("/api", (_req, res) => sendError(res, "NOT_FOUND"));
  if (existsSync(WEB_DIST)) {
    app.use(express.static(WEB_DIST, { index: "index.html", maxAge: "1h" }));
  }
  app.use(errorHandler(ctx.log));
  return app;
}
