// Liveness, readiness (Redis and MongoDB both answer) and Prometheus metrics.
import { Router } from "express";
import type { AppContext } from "../context.js";
import type { Metrics } from "../metrics.js";

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

export function healthRouter(ctx: AppContext, metrics: Metrics): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const [redis, mongo] = await Promise.all([
      probe(() => (ctx.redis.isReady ? ctx.redis.ping() : Promise.reject(new Error("not ready")))),
      probe(() => ctx.mongo.db.command({ ping: 1 })),
    ]);
    const ready = redis === "ok" && mongo === "ok";
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "unavailable", redis, mongo });
  });
  router.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
