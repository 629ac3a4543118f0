// Rate limits: the HTTP ones are counted in Redis and shared by every instance; the socket one is
// per connection. Each test turns RATE_LIMITS on for its own instances.
import assert from "node:assert/strict";
import { test } from "node:test";
import { io as ioClient } from "socket.io-client";
import { errorCatalogue } from "../../src/protocol/errors.js";
import { RATE_LIMITS } from "../../src/store/rate-limits.js";
import { SOCKET_LIMIT, WATCHER_LIMIT } from "../../src/realtime/socket-rate-limit.js";
import { api, newUsername, PASSWORD, register } from "../helpers/accounts.js";
import { connect } from "../helpers/client.js";
import { testEnv } from "../helpers/env.js";
import { clusterFor } from "../helpers/instances.js";
import { startGame } from "../helpers/live-games.js";

async function twoInstances(
  t: { after: (fn: () => Promise<void>) => void },
  rateLimits: "on" | "off" = "on",
) {
  const [a, b] = await clusterFor(t, testEnv({ RATE_LIMITS: rateLimits }), 2);
  return { a: a!, b: b!, urls: [a!.url, b!.url] };
}

const login = (url: string, username: string, password: string) =>
  api(url, "POST", "/api/login", { body: { username, password } });

test("failed logins for one username are limited across both instances; the right password waits too", async (t) => {
  const { urls } = await twoInstances(t);
  const username = newUsername();
  await register(urls[0]!, username);
  const limit = RATE_LIMITS.loginFailuresPerUsername.points;
  for (let i = 0; i < limit; i++) {
    const res = await login(urls[i % 2]!, username, `wrong password ${i}`);
    assert.equal(res.status, 401, `attempt ${i + 1}`);
  }
  for (const url of urls) {
    const res = await login(url, username.toUpperCase(), "wrong password again");
    assert.equal(res.status, 429);
    assert.equal(res.json.error.code, "RATE_LIMITED");
    assert.equal(
      (await login(url, username, PASSWORD)).status,
      429,
      "locked even with the right password",
    );
  }
  // Another name from the same address is not affected by this name's lock.
  const other = newUsername();
  await register(urls[1]!, other);
  assert.equal((await login(urls[0]!, other, PASSWORD)).status, 200);
});

test("a successful login clears the username's count of failures", async (t) => {
  const { urls } = await twoInstances(t);
  const username = newUsername();
  await register(urls[0]!, username);
  const almost = RATE_LIMITS.loginFailuresPerUsername.points - 1;
  for (const round of [1, 2]) {
    for (let i = 0; i < almost; i++)
      assert.equal((await login(urls[i % 2]!, username, "wrong password")).status, 401);
    assert.equal((await login(urls[round % 2]!, username, PASSWORD)).status, 200, `round ${round}`);
  }
});

test("failed logins from one address are limited across both instances; successful ones do not count", async (t) => {
  const { urls } = await twoInstances(t);
  const limit = RATE_LIMITS.loginFailuresPerAddress.points;
  const player = newUsername();
  await register(urls[0]!, player);
  // Different unknown names each time, so only the per-address count can trigger.
  const results = [];
  for (let i = 0; i < limit - 1; i++) {
    results.push((await login(urls[i % 2]!, newUsername(), PASSWORD)).status);
  }
  assert.deepEqual(new Set(results), new Set([401]));
  for (let i = 0; i < 5; i++)
    assert.equal((await login(urls[i % 2]!, player, PASSWORD)).status, 200);
  assert.equal(
    (await login(urls[1]!, newUsername(), PASSWORD)).status,
    401,
    "the last failure allowed",
  );
  for (const url of urls) {
    const res = await login(url, newUsername(), PASSWORD);
    assert.equal(res.status, 429);
    assert.equal(res.json.error.code, "RATE_LIMITED");
    assert.equal(
      (await login(url, player, PASSWORD)).status,
      429,
      "the address waits, right password or not",
    );
  }
});

test("guest creation per address is limited for POST /api/guest and sessionless sockets alike", async (t) => {
  const { urls } = await twoInstances(t);
  const limit = RATE_LIMITS.guestPerAddress.points;
  const statuses = await Promise.all(
    Array.from({ length: limit }, (_, i) =>
      api(urls[i % 2]!, "POST", "/api/guest").then((r) => r.status),
    ),
  );
  assert.deepEqual(new Set(statuses), new Set([201]));
  const refused = await api(urls[1]!, "POST", "/api/guest");
  assert.equal(refused.status, 429);
  assert.equal(refused.json.error.code, "RATE_LIMITED");

  const socket = ioClient(urls[0], {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  t.after(() => socket.close());
  const error = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
  assert.equal(error.message, "RATE_LIMITED");
});

test("registrations per address are limited across both instances", async (t) => {
  const { urls } = await twoInstances(t);
  const limit = RATE_LIMITS.registerPerAddress.points;
  for (let i = 0; i < limit; i++) await register(urls[i % 2]!);
  const res = await api(urls[0]!, "POST", "/api/register", {
    body: { username: newUsername(), password: PASSWORD },
  });
  assert.equal(res.status, 429);
  assert.equal(res.json.error.code, "RATE_LIMITED");
});

test("a flooding socket gets RATE_LIMITED past 100 messages and is disconnected at twice that", async (t) => {
  const { urls } = await twoInstances(t);
  const client = connect(urls[0]!);
  t.after(() => client.close());
  await client.next("client/RESUME_SESSION");
  const closed = new Promise<string>((resolve) =>
    client.socket.once("disconnect", (reason) => resolve(reason)),
  );

  const first = await Promise.all(
    Array.from({ length: SOCKET_LIMIT.messages }, () => client.send("server/NO_SUCH_ACTION", {})),
  );
  for (const ack of first)
    assert.equal(!ack.ok && ack.error.code, "UNKNOWN_TYPE", "within the limit: handled");
  const over = await client.send("server/NO_SUCH_ACTION", {});
  assert.equal(!over.ok && over.error.code, "RATE_LIMITED");
  client.fire("server/NO_SUCH_ACTION", {});
  assert.deepEqual(await client.next("client/ERROR"), {
    code: "RATE_LIMITED",
    message: errorCatalogue.RATE_LIMITED.message,
    type: "server/NO_SUCH_ACTION",
  });
  for (let i = 0; i < SOCKET_LIMIT.disconnectAt; i++) client.fire("server/NO_SUCH_ACTION", {});
  assert.equal(await closed, "io server disconnect");
});

test("a socket that only watches has half the limit: RATE_LIMITED past 50 messages, closed at 100", async (t) => {
  const env = testEnv({ RATE_LIMITS: "on" });
  const instances = await clusterFor(t, env, 1);
  const [white, black, watcher] = [0, 1, 2].map(() => connect(instances[0]!.url));
  t.after(() => [white, black, watcher].forEach((c) => c!.close()));
  const users = await Promise.all(
    [white!, black!, watcher!].map(async (c) => (await c.next("client/RESUME_SESSION")).user),
  );
  const gameId = await startGame(instances[0]!.ctx, users[0]!, users[1]!);
  const watched = await watcher!.send("game/WATCH", { gameId });
  assert.equal(watched.ok, true);
  await watcher!.next("client/RESUME_GAME");
  const closed = new Promise<string>((resolve) =>
    watcher!.socket.once("disconnect", (reason) => resolve(reason)),
  );
  // The WATCH was the first message of the window: 49 more are handled, the 51st is refused.
  const within = await Promise.all(
    Array.from({ length: WATCHER_LIMIT.messages - 1 }, () =>
      watcher!.send("server/NO_SUCH_ACTION", {}),
    ),
  );
  for (const ack of within) assert.equal(!ack.ok && ack.error.code, "UNKNOWN_TYPE");
  const over = await watcher!.send("server/NO_SUCH_ACTION", {});
  assert.equal(!over.ok && over.error.code, "RATE_LIMITED");
  // A player of the game keeps the full limit.
  const acks = await Promise.all(
    Array.from({ length: WATCHER_LIMIT.messages + 10 }, () =>
      white!.send("server/NO_SUCH_ACTION", {}),
    ),
  );
  for (const ack of acks) assert.equal(!ack.ok && ack.error.code, "UNKNOWN_TYPE");
  for (let i = 0; i < WATCHER_LIMIT.disconnectAt; i++) watcher!.fire("server/NO_SUCH_ACTION", {});
  assert.equal(await closed, "io server disconnect");
});

test("RATE_LIMITS=off: no login, guest or socket limit applies", async (t) => {
  const { urls } = await twoInstances(t, "off");
  const username = newUsername();
  await register(urls[0]!, username);
  for (let i = 0; i <= RATE_LIMITS.loginFailuresPerUsername.points + 1; i++) {
    assert.equal((await login(urls[i % 2]!, username, "wrong password")).status, 401);
  }
  assert.equal((await login(urls[1]!, username, PASSWORD)).status, 200);

  const client = connect(urls[1]!);
  t.after(() => client.close());
  await client.next("client/RESUME_SESSION");
  const acks = await Promise.all(
    Array.from({ length: SOCKET_LIMIT.disconnectAt + 50 }, () =>
      client.send("server/NO_SUCH_ACTION", {}),
    ),
  );
  for (const ack of acks) assert.equal(!ack.ok && ack.error.code, "UNKNOWN_TYPE");
  assert.equal(client.socket.connected, true);
});
