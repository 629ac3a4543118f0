// Hostile input to the account endpoints and the socket: every kind is refused with
// 400 INVALID_INPUT (or the socket's ack), with no stack, no query and no state change.
import assert from "node:assert/strict";
import { test } from "node:test";
import { io as ioClient } from "socket.io-client";
import { api, newUsername, PASSWORD, register } from "../helpers/accounts.js";
import { connect } from "../helpers/client.js";
import { testEnv } from "../helpers/env.js";
import { startInProcess } from "../helpers/instances.js";

/** A body, sent raw with a content type: each a kind of hostile or malformed input. */
interface Hostile {
  name: string;
  raw?: string;
  contentType?: string;
}

const json = (value: unknown) => JSON.stringify(value);
const longName = "a".repeat(21);

function hostileBodies(victim: string): Hostile[] {
  return [
    {
      name: "operator object as username",
      raw: json({ username: { $gt: "" }, password: PASSWORD }),
    },
    {
      name: "operator object as password",
      raw: json({ username: victim, password: { $ne: null } }),
    },
    {
      name: "$where at top level",
      raw: json({ username: victim, password: PASSWORD, $where: "sleep(1000)" }),
    },
    { name: "regex operator", raw: json({ username: { $regex: ".*" }, password: PASSWORD }) },
    { name: "array as username", raw: json({ username: [victim], password: PASSWORD }) },
    { name: "number as username", raw: json({ username: 12345, password: PASSWORD }) },
    { name: "null as password", raw: json({ username: victim, password: null }) },
    { name: "boolean as password", raw: json({ username: victim, password: true }) },
    {
      name: "nested object as username",
      raw: json({ username: { username: victim }, password: PASSWORD }),
    },
    { name: "username too long (21)", raw: json({ username: longName, password: PASSWORD }) },
    {
      name: "username of 10 000 chars",
      raw: json({ username: "a".repeat(10_000), password: PASSWORD }),
    },
    { name: "username too short (2)", raw: json({ username: "ab", password: PASSWORD }) },
    { name: "password too long (129)", raw: json({ username: victim, password: "p".repeat(129) }) },
    { name: "password too short (7)", raw: json({ username: victim, password: "1234567" }) },
    { name: "space in username", raw: json({ username: "al ice", password: PASSWORD }) },
    { name: "NUL in username", raw: json({ username: "alice\u0000x", password: PASSWORD }) },
    { name: "HTML in username", raw: json({ username: "<script>x</script>", password: PASSWORD }) },
    {
      name: "quote and SQL in username",
      raw: json({ username: "a'; DROP--", password: PASSWORD }),
    },
    { name: "dot and $ in username", raw: json({ username: "a.$where", password: PASSWORD }) },
    {
      name: "Cyrillic homoglyph in username",
      raw: json({ username: "\u0430lice", password: PASSWORD }),
    },
    { name: "extra field", raw: json({ username: victim, password: PASSWORD, admin: true }) },
    {
      name: "__proto__ key",
      raw: `{"username":"${victim}","password":"${PASSWORD}","__proto__":{"admin":true}}`,
    },
    {
      name: "constructor.prototype",
      raw: json({ username: victim, password: PASSWORD, constructor: { prototype: { x: 1 } } }),
    },
    { name: "missing password", raw: json({ username: victim }) },
    { name: "empty object", raw: "{}" },
    { name: "malformed JSON", raw: `{"username": "${victim}", "password": ` },
    {
      name: "JSON with trailing garbage",
      raw: `${json({ username: victim, password: PASSWORD })}xyz`,
    },
    { name: "top-level array", raw: json([victim, PASSWORD]) },
    { name: "top-level string", raw: json("username=x") },
    { name: "top-level null", raw: "null" },
    { name: "empty body with JSON content type", raw: "" },
    { name: "no body, no content type", contentType: "none" },
    {
      name: "form-encoded body",
      raw: `username=${victim}&password=${PASSWORD}`,
      contentType: "application/x-www-form-urlencoded",
    },
    {
      name: "JSON sent as text/plain",
      raw: json({ username: victim, password: PASSWORD }),
      contentType: "text/plain",
    },
    {
      name: "body over 16 kB",
      raw: json({ username: victim, password: PASSWORD, pad: "x".repeat(20_000) }),
    },
    {
      name: "duplicate keys, last one an operator",
      raw: `{"username":"${victim}","username":{"$gt":""},"password":"${PASSWORD}"}`,
    },
  ];
}

test("hostile and malformed bodies to /api/register and /api/login are 400 INVALID_INPUT", async (t) => {
  const instance = await startInProcess(testEnv());
  t.after(() => instance.close());
  const victim = newUsername();
  await register(instance.url, victim);
  const users = instance.ctx.mongo.db.collection("users");
  const before = await users.countDocuments({});

  for (const path of ["/api/register", "/api/login"]) {
    for (const hostile of hostileBodies(victim)) {
      const headers: Record<string, string> = {};
      if (hostile.contentType !== "none")
        headers["content-type"] = hostile.contentType ?? "application/json";
      const res = await api(instance.url, "POST", path, { raw: hostile.raw, headers });
      const label = `${path}: ${hostile.name}`;
      assert.equal(res.status, 400, `${label} → ${res.status} ${res.text}`);
      assert.equal(res.json?.error?.code, "INVALID_INPUT", label);
      assert.equal(typeof res.json.error.message, "string", label);
      assert.deepEqual(Object.keys(res.json), ["error"], label);
      assert.equal(res.headers.getSetCookie().length, 0, `${label}: no session`);
    }
  }
  assert.equal(await users.countDocuments({}), before, "no account was created");
  assert.equal(({} as Record<string, unknown>).admin, undefined, "no prototype was polluted");
});

test("hostile session ids in cookie, Bearer and socket query find no session", async (t) => {
  const instance = await startInProcess(testEnv());
  t.after(() => instance.close());
  const hostileIds = [
    '{"$gt":""}',
    "*",
    "../../etc/passwd",
    "a".repeat(10_000),
    "' OR 1=1 --",
    "%00",
    "null",
  ];
  for (const id of hostileIds) {
    const cookie = await api(instance.url, "GET", "/api/session", {
      headers: { cookie: `sid=${encodeURIComponent(id)}` },
    });
    assert.equal(cookie.status, 401, id);
    const bearer = await api(instance.url, "GET", "/api/session", {
      headers: { authorization: `Bearer ${id}` },
    });
    assert.equal(bearer.status, 401, id);
    assert.equal(bearer.json.error.code, "NO_SESSION");
  }
  // On the socket, an unknown session (of any shape) gets a new guest, never someone else's user.
  const socket = connect(instance.url, '{"$gt":""}');
  t.after(() => socket.close());
  const resumed = await socket.next("client/RESUME_SESSION");
  assert.equal(resumed.user.guest, true);
});

test("hostile REGISTER_USER payloads are acked INVALID_INPUT and the guest stays a guest", async (t) => {
  const instance = await startInProcess(testEnv());
  t.after(() => instance.close());
  const socket = connect(instance.url);
  t.after(() => socket.close());
  const guest = await socket.next("client/RESUME_SESSION");
  const payloads: unknown[] = [
    { username: { $gt: "" }, password: PASSWORD },
    { username: "valid_name", password: { $ne: null } },
    { username: ["valid_name"], password: PASSWORD },
    { username: "a".repeat(21), password: PASSWORD },
    { username: "valid_name", password: "p".repeat(129) },
    { username: "valid_name", password: PASSWORD, admin: true },
    { username: "bad name", password: PASSWORD },
    "valid_name",
    null,
    [],
  ];
  for (const payload of payloads) {
    const ack = await socket.send("server/REGISTER_USER", payload);
    assert.deepEqual(ack.ok, false, JSON.stringify(payload));
    assert.equal(!ack.ok && ack.error.code, "INVALID_INPUT", JSON.stringify(payload));
  }
  const session = await api(instance.url, "GET", "/api/session", {
    headers: { authorization: `Bearer ${guest.sessionId}` },
  });
  assert.equal(session.json.user.guest, true);
  assert.equal(await instance.ctx.mongo.db.collection("users").countDocuments({}), 0);
});

test("foreign origins: cookie POSTs are 403 UNAUTHORIZED, Bearer and no-Origin pass; sockets are refused", async (t) => {
  const instance = await startInProcess(testEnv());
  t.after(() => instance.close());
  const { sessionId } = await register(instance.url);
  const cookie = `sid=${sessionId}`;
  const own = new URL(instance.url).origin;

  for (const origin of ["https://evil.example", "null", own.replace("127.0.0.1", "localhost")]) {
    const logout = await api(instance.url, "POST", "/api/logout", { headers: { cookie, origin } });
    assert.equal(logout.status, 403, origin);
    assert.equal(logout.json.error.code, "UNAUTHORIZED");
    const login = await api(instance.url, "POST", "/api/login", {
      body: { username: newUsername(), password: PASSWORD },
      headers: { origin },
    });
    assert.equal(login.status, 403, `login CSRF from ${origin}`);
  }
  // The session survived those attempts.
  assert.equal(
    (await api(instance.url, "GET", "/api/session", { headers: { cookie } })).status,
    200,
  );
  // A foreign page can read nothing either way, and GET changes nothing: it is not refused.
  const get = await api(instance.url, "GET", "/api/session", {
    headers: { cookie, origin: "https://evil.example" },
  });
  assert.equal(get.status, 200);

  const guest = await api(instance.url, "POST", "/api/guest", { headers: { origin: own } });
  assert.equal(guest.status, 201, "own origin is allowed");
  const bearer = await api(instance.url, "POST", "/api/guest", {
    headers: { origin: "https://evil.example", authorization: `Bearer ${sessionId}` },
  });
  assert.equal(bearer.status, 201, "a Bearer token is allowed from anywhere");

  // The socket handshake: a foreign Origin never gets a connection (nor a session).
  const refused = ioClient(instance.url, {
    transports: ["websocket"],
    extraHeaders: { origin: "https://evil.example" },
    reconnection: false,
    forceNew: true,
  });
  t.after(() => refused.close());
  const outcome = await new Promise<string>((resolve) => {
    refused.once("connect", () => resolve("connected"));
    refused.once("connect_error", () => resolve("refused"));
  });
  assert.equal(outcome, "refused");
  const allowed = connect(instance.url, sessionId, { origin: own });
  t.after(() => allowed.close());
  assert.equal((await allowed.next("client/RESUME_SESSION")).sessionId, sessionId);
});

test("ALLOWED_ORIGINS lets the listed origin in and keeps the request's own host out", async (t) => {
  const instance = await startInProcess(testEnv({ ALLOWED_ORIGINS: "https://chess.example" }));
  t.after(() => instance.close());
  const listed = await api(instance.url, "POST", "/api/guest", {
    headers: { origin: "https://chess.example" },
  });
  assert.equal(listed.status, 201);
  const other = await api(instance.url, "POST", "/api/guest", {
    headers: { origin: "https://other.example" },
  });
  assert.equal(other.status, 403);
  const ownHost = await api(instance.url, "POST", "/api/guest", {
    headers: { origin: new URL(instance.url).origin },
  });
  assert.equal(ownHost.status, 403, "with a list, only the list counts");
  const socket = connect(instance.url, undefined, { origin: "https://chess.example" });
  t.after(() => socket.close());
  assert.equal((await socket.next("client/RESUME_SESSION")).user.guest, true);
});
