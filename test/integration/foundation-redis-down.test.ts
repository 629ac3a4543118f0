// /readyz with its one Redis stopped and started again. Apart from foundation.test.ts because it
// runs its own single Redis: not on the Cluster pass of `npm test`.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { freeStablePort, sleep, startRedis } from "../../scripts/lib/services.js";
import { testEnv } from "../helpers/env.js";
import { spawnInstance } from "../helpers/instances.js";

const stopped: (() => Promise<void>)[] = [];
after(async () => {
  for (const stop of stopped) await stop();
});

test("/readyz is 503 while Redis is down and 200 once it is back; the instance survives", async () => {
  const port = await freeStablePort();
  let redis = await startRedis({ port });
  stopped.push(() => redis.stop());
  const instance = await spawnInstance(testEnv({ REDIS_URL: redis.url }));
  stopped.push(() => instance.stop());

  assert.equal((await fetch(`${instance.url}/readyz`)).status, 200);
  await redis.stop();
  const down = await fetch(`${instance.url}/readyz`);
  assert.equal(down.status, 503);
  assert.equal(((await down.json()) as { redis: string }).redis, "down");

  redis = await startRedis({ port });
  stopped.push(() => redis.stop());
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) {
    await sleep(100);
    status = (await fetch(`${instance.url}/readyz`)).status;
  }
  assert.equal(status, 200);
  assert.equal(instance.process.exitCode, null, "the instance is still running");
});
