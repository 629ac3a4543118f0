// Liveness, readiness (Redis and MongoDB both answer) and Prometheus metrics (behind a token).
import { createHash, timingSafeEqual } from "node:crypto";
import { Router, type Request } from "express";
import type { AppContext } from "../context.js";
import type { Metrics } from "../metrics.js";
import { redisReady } from "../store/redis.js";
import { sendError } from "./errors.js";
import { bearerToken } from "./session-cookie.js";

const PROBE_TIMEOUT_MS = 1_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error("timeout")), PROBE_TIMEOUT_MS).unref(),
    ),
  ]);
}

async function probe(check: () => Promise<unknown>): Promise<"ok" | "down"> {
  try {
    await withTimeout(check());
    return "ok";
  } catch {
    return "down";
  }
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** The Bearer token equals METRICS_TOKEN, compared in constant time. */
function metricsAllowed(token: string, req: Request): boolean {
  const presented = bearerToken(req);
  return presented !== null && timingSafeEqual(digest(presented), digest(token));
}

export function healthRouter(ctx: AppContext, metrics: Metrics): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const [redis, mongo] = await Promise.all([
      probe(async () => {
        if (!(await redisReady(ctx.redis))) throw new Error("no primary answers");
      }),
      probe(() => ctx.mongo.db.command({ ping: 1 })),
    ]);
    const ready = redis === "ok" && mongo === "ok";
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "unavailable", redis, mongo });
  });
  // The metrics tell who plays how much and how the instance fares: for the operator only.
  router.get("/metrics", async (req, res) => {
    const token = ctx.config.METRICS_TOKEN;
    if (token === null) return sendError(res, "NOT_FOUND");
    if (!metricsAllowed(token, req)) return sendError(res, "UNAUTHORIZED");
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
