// Prometheus metrics: the default process metrics, an event-loop-lag histogram, socket actions and
// archive entries given up on.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  actions: Counter<"type" | "outcome">;
  archiveDeadLetters: Counter;
  stop: () => void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const lag = new Histogram({
    name: "chess_event_loop_lag_seconds",
    help: "Event-loop lag, sampled every 500 ms (p99 of each window).",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const actions = new Counter({
    name: "chess_socket_actions_total",
    help: "Socket actions handled, by type and outcome (ok or an error code).",
    labelNames: ["type", "outcome"] as const,
    registers: [registry],
  });

  const archiveDeadLetters = new Counter({
    name: "chess_archive_dead_letters_total",
    help: "Archive entries given up on after too many deliveries, moved to the dead-letter stream.",
    registers: [registry],
  });

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const timer = setInterval(() => {
    lag.observe(delay.percentile(99) / 1e9);
    delay.reset();
  }, 500);
  timer.unref();

  return {
    registry,
    actions,
    archiveDeadLetters,
    stop: () => {
      clearInterval(timer);
      delay.disable();
    },
  };
}
