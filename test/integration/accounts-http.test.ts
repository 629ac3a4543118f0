// The HTTP account endpoints of PROTOCOL.md across two instances sharing Redis and FerretDB.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "../helpers/client.js";
import { api, newUsername, PASSWORD, register, sessionCookie } from "../helpers/accounts.js";
import { testEnv } from "../helpers/env.js";
import { clusterFor, startInProcess } from "../helpers/instances.js";
import type { UserDoc } from "../../src/store/users.js";

async function twoInstances(t: { after: (fn: () => Promise<void>) => void }, overrides = {}) {
  const [a, b] = await clusterFor(t, testEnv(overrides), 2);
  return { a: a!, b: b! };
}

test("register on A; the session resumes on B by GET /api/session (cookie and Bearer) and by socket", async (t) => {
  const { a, b } = await twoInstances(t);
  const username = newUsername();
  const res = await api(a.url, "POST", "/api/register", { body: { username, password: PASSWORD } });
  assert.equal(res.status, 201);
  const { sessionId, user } = res.json;
  assert.match(sessionId, /^[A-Za-z0-9_-]{43}$/, "256-bit session id");
  assert.deepEqual(Object.keys(user).sort(), ["guest", "id", "ratings", "username"]);
  assert.equal(user.username, username);
  assert.equal(user.guest, false);
  assert.deepEqual(user.ratings.blitz, { rating: 1500, deviation: 350, games: 0 });

  const cookie = sessionCookie(res);
  assert.equal(cookie.header, `sid=${sessionId}`);
  assert.match(cookie.attributes, /; HttpOnly/i);
  assert.match(cookie.attributes, /; SameSite=Lax/i);
  assert.match(cookie.attributes, /; Path=\//i);
  assert.doesNotMatch(cookie.attributes, /; Secure/i, "plain HTTP in development: not Secure");

  const byCookie = await api(b.url, "GET", "/api/session", { headers: { cookie: cookie.header } });
  assert.equal(byCookie.status, 200);
  assert.deepEqual(byCookie.json, { sessionId, user, state: { status: "idle" } });
  const byBearer = await api(b.url, "GET", "/api/session", {
    headers: { authorization: `Bearer ${sessionId}` },
  });
  assert.deepEqual(byBearer.json, { sessionId, user, state: { status: "idle" } });

  const socket = connect(b.url, sessionId);
  t.after(() => socket.close());
  const resumed = await socket.next("client/RESUME_SESSION");
  assert.deepEqual(resumed, { sessionId, user, state: { status: "idle" }, challenges: [] });
});

test("login: right password on B gives a new session; unknown user and wrong password look the same", async (t) => {
  const { a, b } = await twoInstances(t);
  const username = newUsername();
  const registered = await register(a.url, username);

  // The name is case-insensitive for login too.
  const ok = await api(b.url, "POST", "/api/login", {
    body: { username: username.toUpperCase(), password: PASSWORD },
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.user.id, registered.user.id);
  assert.equal(ok.json.user.username, username, "the name as registered");
  assert.notEqual(ok.json.sessionId, registered.sessionId, "one session per login");
  assert.equal(sessionCookie(ok).header, `sid=${ok.json.sessionId}`);

  const wrong = await api(b.url, "POST", "/api/login", {
    body: { username, password: "wrong password" },
  });
  const unknown = await api(a.url, "POST", "/api/login", {
    body: { username: newUsername(), password: PASSWORD },
  });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.deepEqual(wrong.json, unknown.json);
  assert.equal(wrong.json.error.code, "INVALID_CREDENTIALS");
  assert.equal(wrong.headers.getSetCookie().length, 0, "no cookie for a failed login");

  // Both sessions stay valid: one per login, side by side.
  for (const sid of [registered.sessionId, ok.json.sessionId]) {
    const s = await api(a.url, "GET", "/api/session", {
      headers: { authorization: `Bearer ${sid}` },
    });
    assert.equal(s.json.user.id, registered.user.id);
  }
});

test("POST /api/guest gives a guest session with a generated name, resumable on the other instance", async (t) => {
  const { a, b } = await twoInstances(t);
  const res = await api(a.url, "POST", "/api/guest");
  assert.equal(res.status, 201);
  assert.equal(res.json.user.guest, true);
  assert.match(res.json.user.username, /^Guest-[a-z0-9]{6}$/);
  assert.equal(sessionCookie(res).header, `sid=${res.json.sessionId}`);
  const s = await api(b.url, "GET", "/api/session", {
    headers: { cookie: sessionCookie(res).header },
  });
  assert.deepEqual(s.json, { ...res.json, state: { status: "idle" } });
});

test("GET /api/session without a session, or with an unknown one, is 401 NO_SESSION", async (t) => {
  const { a } = await twoInstances(t);
  const cases: Record<string, string>[] = [
    {},
    { cookie: "sid=" + "A".repeat(43) },
    { authorization: "Bearer " + "B".repeat(43) },
    { authorization: "Bearer" },
    { authorization: "Basic dXNlcjpwYXNz" },
    { cookie: "other=1" },
  ];
  for (const headers of cases) {
    const res = await api(a.url, "GET", "/api/session", { headers });
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.equal(res.json.error.code, "NO_SESSION");
  }
});

test("the cookie is Secure behind an HTTPS proxy (X-Forwarded-Proto) and in production", async (t) => {
  const { a } = await twoInstances(t);
  const proxied = await api(a.url, "POST", "/api/guest", {
    headers: { "x-forwarded-proto": "https" },
  });
  assert.match(sessionCookie(proxied).attributes, /; Secure/i);

  const prod = await startInProcess(testEnv({ NODE_ENV: "production" }));
  t.after(() => prod.close());
  assert.match(sessionCookie(await api(prod.url, "POST", "/api/guest")).attributes, /; Secure/i);
});

test("the same name in another letter case is refused with 409 USERNAME_TAKEN", async (t) => {
  const { a, b } = await twoInstances(t);
  const username = newUsername();
  await register(a.url, username);
  for (const variant of [
    username,
    username.toUpperCase(),
    username[0]!.toUpperCase() + username.slice(1),
  ]) {
    const res = await api(b.url, "POST", "/api/register", {
      body: { username: variant, password: PASSWORD },
    });
    assert.equal(res.status, 409, variant);
    assert.equal(res.json.error.code, "USERNAME_TAKEN");
  }
  // Guest names are reserved, so nobody can pose as a guest.
  const guestLike = await api(a.url, "POST", "/api/register", {
    body: { username: "Guest-abc123", password: PASSWORD },
  });
  assert.equal(guestLike.status, 409);
});

test("ten concurrent registrations of case variants on two instances create exactly one account", async (t) => {
  const { a, b } = await twoInstances(t);
  const base = `race${newUsername()}`.toLowerCase();
  // Ten distinct spellings: the bits of i choose which of the letters of "race" are upper case.
  const variants = Array.from({ length: 10 }, (_, i) =>
    [...base].map((ch, j) => (j < 4 && (i >> j) & 1 ? ch.toUpperCase() : ch)).join(""),
  );
  assert.equal(new Set(variants).size, 10);
  const results = await Promise.all(
    variants.map((username, i) =>
      api(i % 2 === 0 ? a.url : b.url, "POST", "/api/register", {
        body: { username, password: PASSWORD },
      }),
    ),
  );
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
  for (const r of results.filter((r) => r.status === 409))
    assert.equal(r.json.error.code, "USERNAME_TAKEN");
  const count = await a.ctx.mongo.db.collection("users").countDocuments({ usernameLower: base });
  assert.equal(count, 1);
});

test("the stored account has an argon2id hash, and no endpoint ever shows it", async (t) => {
  const { a, b } = await twoInstances(t);
  const username = newUsername();
  const { sessionId, user } = await register(a.url, username);
  const doc = await a.ctx.mongo.db.collection<UserDoc>("users").findOne({ _id: user.id });
  assert.match(String(doc?.passwordHash), /^\$argon2id\$/);
  assert.notEqual(doc?.passwordHash, PASSWORD);
  // `api` fails on any body with `$argon2` or `passwordHash`; these all pass through it.
  await api(b.url, "POST", "/api/login", { body: { username, password: PASSWORD } });
  await api(b.url, "POST", "/api/login", { body: { username, password: "wrong password" } });
  await api(b.url, "GET", "/api/session", { headers: { authorization: `Bearer ${sessionId}` } });
  await api(b.url, "POST", "/api/register", { body: { username, password: PASSWORD } });
  const socket = connect(b.url, sessionId);
  t.after(() => socket.close());
  await socket.next("client/RESUME_SESSION");
  assert.doesNotMatch(JSON.stringify(socket.received), /argon2|passwordHash/);
});
