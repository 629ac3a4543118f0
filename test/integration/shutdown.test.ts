// A graceful stop is not held by a client that never answers the close of its socket (gone, or
// frozen): the instance still exits cleanly, well within SHUTDOWN_TIMEOUT_MS.
import assert from "node:assert/strict";
import { connect as tcpConnect } from "node:net";
import { test } from "node:test";
import { testEnv } from "../helpers/env.js";
import { spawnInstance } from "../helpers/instances.js";

test("SIGTERM with a websocket client that never answers: exit 0 in under 5 s", async (t) => {
  const instance = await spawnInstance(testEnv({ SHUTDOWN_TIMEOUT_MS: "10000" }));
  t.after(() => instance.kill());
  // A websocket upgrade done by hand; afterwards the client reads nothing and answers nothing.
  const socket = tcpConnect(instance.port, "127.0.0.1");
  t.after(() => socket.destroy());
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(
    [
      "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
      `Host: 127.0.0.1:${instance.port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      "",
      "",
    ].join("\r\n"),
  );
  const upgraded = await new Promise<string>((resolve) =>
    socket.once("data", (chunk: Buffer) => resolve(chunk.toString("latin1"))),
  );
  assert.match(upgraded, /^HTTP\/1\.1 101/);
  socket.pause();

  const stoppedAt = Date.now();
  const exit = new Promise<number | null>((resolve) =>
    instance.process.once("exit", (code) => resolve(code)),
  );
  instance.process.kill("SIGTERM");
  const code = await exit;
  const tookMs = Date.now() - stoppedAt;
  assert.equal(code, 0, "a clean exit, not the forced one");
  assert.ok(tookMs < 5_000, `stopped after ${tookMs} ms`);
});
