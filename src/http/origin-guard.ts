// Cross-site request forgery guard: a state-changing API request that a browser sent from a
// foreign page is refused, unless it authenticates with a Bearer token (which no foreign page can
// attach for us, unlike the cookie). Requests without an Origin header do not come from a browser.
import { Router } from "express";
import type { AppContext } from "../context.js";
// The rule is the socket handshake's own, so that sockets and POSTs accept the same origins.
import { originAllowed } from "../realtime/handshake.js";
import { sendError } from "./errors.js";
import { bearerToken } from "./session-cookie.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function originGuard(ctx: AppContext): Router {
  const router = Router();
  router.use("/api", (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || req.headers.origin === undefined) return next();
    if (bearerToken(req) !== null || originAllowed(ctx.config, req)) return next();
    sendError(res, "UNAUTHORIZED", "Requests from this origin are not allowed.");
  });
  return router;
}
