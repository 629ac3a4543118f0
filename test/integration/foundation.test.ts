import assert from "node:assert/strict";
import { test } from "node:test";
import { rooms } from "../../src/store/keys.js";
import { connect } from "../helpers/client.js";
import { testEnv } from "../helpers/env.js";
import { spawnInstance, startInProcess } from "../helpers/instances.js";

test("an emit to a room from instance B reaches a socket connected to instance A", async (t) => {
  const env = testEnv();
  const a = await startInProcess(env);
  const b = await startInProcess(env);
  t.after(async () => {
    await a.close();
    await b.close();
  });
  const client = connect(a.url);
  t.after(() => client.close());
  const resumed = await client.next("client/RESUME_SESSION");
  assert.equal(resumed.user.guest, true);

  // Rooms subscribe asynchronously; retry the emit until the subscription is in place.
  const got = client.next("client/ERROR", 5_000);
  const timer = setInterval(() => {
    b.io.to(rooms.user(resumed.user.id)).emit("action", {
      type: "client/ERROR",
      payload: { code: "INTERNAL", message: "from B", type: "probe" },
    });
  }, 100);
  try {
    assert.equal((await got).message, "from B");
  } finally {
    clearInterval(timer);
  }
});

test("/healthz and /readyz answer; /metrics has the event-loop-lag histogram, for METRICS_TOKEN only", async (t) => {
  const token = "metrics-token-0123456789";
  const instance = await startInProcess(testEnv({ METRICS_TOKEN: token }));
  t.after(() => instance.close());
  assert.equal((await fetch(`${instance.url}/healthz`)).status, 200);
  const ready = await fetch(`${instance.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: "ready", redis: "ok", mongo: "ok" });
  const scrape = (authorization?: string) =>
    fetch(`${instance.url}/metrics`, { headers: authorization ? { authorization } : {} });
  for (const refused of [undefined, "Bearer wrong-token-0123456789", `Basic ${token}`, token])
    assert.equal((await scrape(refused)).status, 403, String(refused));
  const allowed = await scrape(`Bearer ${token}`);
  assert.equal(allowed.status, 200);
  const metrics = await allowed.text();
  assert.match(metrics, /chess_event_loop_lag_seconds_bucket/);
  assert.match(metrics, /process_cpu_user_seconds_total/);
});

test("without METRICS_TOKEN, /metrics is not served", async (t) => {
  const instance = await startInProcess(testEnv());
  t.after(() => instance.close());
  const res = await fetch(`${instance.url}/metrics`);
  assert.equal(res.status, 404);
  assert.doesNotMatch(await res.text(), /process_cpu/);
});

test("an unknown API path is a JSON 404 NOT_FOUND", async (t) => {
  const instance = await startInProcess(testEnv());
  t.after(() => instance.close());
  const missing = await fetch(`${instance.url}/api/nothing-here`);
  assert.equal(missing.status, 404);
  assert.deepEqual(((await missing.json()) as { error: { code: string } }).error.code, "NOT_FOUND");
});

test("SIGTERM shuts an instance down gracefully within 10 s", async () => {
  const instance = await spawnInstance(testEnv());
  const client = connect(instance.url);
  await client.next("client/RESUME_SESSION");
  const disconnected = new Promise<void>((resolve) =>
    client.socket.once("disconnect", () => resolve()),
  );
  const started = Date.now();
  await instance.stop();
  await disconnected;
  client.close();
  assert.equal(instance.process.exitCode, 0);
  assert.ok(Date.now() - started < 10_000);
});
