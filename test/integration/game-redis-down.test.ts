// Redis going away mid-game: a move is refused at once (not queued for later, when the clock would
// charge the wait), the game is unchanged, and play goes on when Redis is back.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { freeStablePort, startRedis, type Service } from "../../scripts/lib/services.js";
import { setupGame, updateAt } from "../helpers/game-setup.js";

test("a move while Redis is down is refused at once with INTERNAL; once it is back, play goes on", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "chess-redis-down-"));
  const port = await freeStablePort();
  let redis: Service = await startRedis({ port, dir, appendOnly: true });
  t.after(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const g = await setupGame(t, { env: { REDIS_URL: redis.url } });
  assert.deepEqual(await g.play("e2e4", 0), { ok: true, ply: 1 });
  await updateAt(g.black, 1);

  await redis.stop();
  const sentAt = Date.now();
  const refused = (await g.play("e7e5", 1)) as { ok: boolean; error?: { code: string } };
  assert.deepEqual([refused.ok, refused.error?.code], [false, "INTERNAL"]);
  assert.ok(Date.now() - sentAt < 1_000, `refused after ${Date.now() - sentAt} ms, not at once`);

  redis = await startRedis({ port, dir, appendOnly: true });
  let ack = { ok: false } as { ok: boolean; ply?: number; error?: { code: string } };
  for (let i = 0; i < 100 && !ack.ok; i++) {
    await sleep(100);
    ack = (await g.play("e7e5", 1)) as typeof ack;
    if (!ack.ok) assert.equal(ack.error?.code, "INTERNAL", "only refused while Redis is away");
  }
  assert.deepEqual(ack, { ok: true, ply: 2 });
  // The opponent's instance subscribed again: white sees black's move and can answer it.
  assert.equal((await updateAt(g.white, 2)).move.uci, "e7e5");
  assert.deepEqual(await g.play("g1f3", 2), { ok: true, ply: 3 });
});
