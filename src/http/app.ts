// The Express app: security headers, JSON bodies, the API routers, the browser client, errors.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import express, { type Router } from "express";
import helmet from "helmet";
import type { AppContext } from "../context.js";
import type { Metrics } from "../metrics.js";
import { errorHandler, sendError } from "./errors.js";
import { healthRouter } from "./health.js";

/** The built browser client (vite output), served at `/` when present. */
const WEB_DIST = fileURLToPath(new URL("../../../src/web/dist/", import.meta.url));

export function createHttpApp(ctx: AppContext, metrics: Metrics, routers: Router[]) {
  const app = express();
  app.disable("x-powered-by");
  if (ctx.config.TRUST_PROXY === "on") app.set("trust proxy", true);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          "connect-src": ["'self'", "ws:", "wss:"],
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
