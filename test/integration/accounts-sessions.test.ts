// What sessions leave in Redis under abuse: a bounded number per user however often one logs in,
// never a session without a TTL, and a guest's registration that completes when it is retried.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sleep } from "../../scripts/lib/services.js";
import type { Instance } from "../../src/instance.js";
import { createAccount } from "../../src/store/accounts.js";
import { RATE_LIMITS } from "../../src/store/rate-limits.js";
import { MAX_SESSIONS_PER_USER, type SessionRecord } from "../../src/store/sessions.js";
import { api, newUsername, PASSWORD, register } from "../helpers/accounts.js";
import { connect } from "../helpers/client.js";
import { testEnv } from "../helpers/env.js";
import { startInProcess } from "../helpers/instances.js";
import { scanKeys } from "../../src/store/redis.js";

async function instanceFor(
  t: { after: (fn: () => Promise<void>) => void },
  env: Record<string, string> = {},
): Promise<Instance> {
  const instance = await startInProcess(testEnv(env));
  t.after(() => instance.close());
  return instance;
}

/** Replaces one command of the instance's Redis client for the rest of the test. */
function intercept<K extends "get" | "sMembers">(
  t: { after: (fn: () => void) => void },
  instance: Instance,
  name: K,
  wrap: (original: Instance["ctx"]["redis"][K]) => Instance["ctx"]["redis"][K],
): void {
  const client = instance.ctx.redis as unknown as Record<string, unknown>;
  const original = instance.ctx.redis[name].bind(instance.ctx.redis) as Instance["ctx"]["redis"][K];
  client[name] = wrap(original);
  t.after(() => {
    delete client[name];
  });
}

const login = (url: string, username: string, password = PASSWORD) =>
  api(url, "POST", "/api/login", { body: { username, password } });

const bearer = (sessionId: string) => ({ headers: { authorization: `Bearer ${sessionId}` } });

/** Every session key of the test's prefix: its record and its TTL in ms. */
async function sessionsInRedis(instance: Instance) {
  const { redis, keys } = instance.ctx;
  const found: { key: string; record: SessionRecord; ttlMs: number }[] = [];
  for (const key of await scanKeys(redis, `${keys.prefix}:session:*`)) {
    const [raw, ttlMs] = await Promise.all([redis.get(key), redis.pTTL(key)]);
    if (raw !== null) found.push({ key, record: JSON.parse(raw) as SessionRecord, ttlMs });
  }
  return found;
}

test("1,000 logins of one account leave a bounded number of sessions in Redis, each with a TTL", async (t) => {
  const instance = await instanceFor(t);
  const { redis, keys } = instance.ctx;
  const { user } = await register(instance.url, newUsername());
  // Entries of sessions long gone, as an older version left them: pruned by the next login.
  const stale = Array.from({ length: 50 }, (_, i) => `stale${String(i).padStart(38, "0")}`);
  await redis.sAdd(keys.userSessions(user.id), stale);

  let last = "";
  let next = 0;
  const worker = async () => {
    while (next < 1000) {
      next += 1;
      const res = await login(instance.url, user.username);
      assert.equal(res.status, 200, res.text);
      last = res.json.sessionId;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);

  const members = await redis.sMembers(keys.userSessions(user.id));
  assert.ok(members.length <= MAX_SESSIONS_PER_USER, `${members.length} entries in the set`);
  assert.equal(members.filter((id) => stale.includes(id)).length, 0, "dead entries are pruned");
  const mine = (await sessionsInRedis(instance)).filter((s) => s.record.userId === user.id);
  assert.ok(mine.length <= MAX_SESSIONS_PER_USER, `${mine.length} sessions of the user`);
  for (const s of mine) assert.ok(s.ttlMs > 0, `${s.key} has a TTL`);
  assert.ok(members.includes(last));
  assert.equal((await api(instance.url, "GET", "/api/session", bearer(last))).status, 200);
});

test("a login past the cap ends the session used least recently, and closes its socket", async (t) => {
  const instance = await instanceFor(t);
  const username = newUsername();
  const first = await register(instance.url, username);
  const sessions = [first.sessionId, (await login(instance.url, username)).json.sessionId];
  // The second session's last use is this socket's handshake; later sessions are all newer, and
  // the first one is used again after them.
  const socket = connect(instance.url, sessions[1]);
  t.after(() => socket.close());
  await socket.next("client/RESUME_SESSION");
  for (let i = 2; i < MAX_SESSIONS_PER_USER; i++)
    sessions.push((await login(instance.url, username)).json.sessionId);
  assert.equal((await api(instance.url, "GET", "/api/session", bearer(sessions[0]!))).status, 200);
  const closed = new Promise<string>((resolve) => {
    socket.socket.once("disconnect", resolve);
    setTimeout(() => resolve("still connected after 5 s"), 5_000).unref();
  });

  const newest = await login(instance.url, username);
  assert.equal(newest.status, 200);
  assert.equal(await closed, "io server disconnect");
  const status = async (id: string) =>
    (await api(instance.url, "GET", "/api/session", bearer(id))).status;
  assert.equal(await status(sessions[1]!), 401, "the least recently used session ended");
  for (const id of [sessions[0]!, sessions[2]!, newest.json.sessionId])
    assert.equal(await status(id), 200);
  const members = await instance.ctx.redis.sMembers(instance.ctx.keys.userSessions(first.user.id));
  assert.equal(members.length, MAX_SESSIONS_PER_USER);
});

test("successful logins of one account are limited too; the right password then waits", async (t) => {
  const instance = await instanceFor(t, { RATE_LIMITS: "on" });
  const username = newUsername();
  await register(instance.url, username);
  const limit = RATE_LIMITS.loginsPerUsername.points;
  for (let i = 0; i < limit; i++)
    assert.equal((await login(instance.url, username.toUpperCase())).status, 200, `login ${i + 1}`);
  const refused = await login(instance.url, username);
  assert.equal(refused.status, 429);
  assert.equal(refused.json.error.code, "RATE_LIMITED");
  const other = newUsername();
  await register(instance.url, other);
  assert.equal((await login(instance.url, other)).status, 200, "another account is not held up");
});

test("a logout racing a guest's registration over the socket leaves no session without a TTL", async (t) => {
  const instance = await instanceFor(t);
  const { redis, keys } = instance.ctx;
  const client = connect(instance.url);
  t.after(() => client.close());
  const guest = await client.next("client/RESUME_SESSION");
  const sessionKey = keys.session(guest.sessionId);

  // The logout lands exactly between the registration's read of the session and its write.
  let logout: Promise<unknown> | null = null;
  intercept(t, instance, "get", (get) => async (...args: Parameters<typeof get>) => {
    const value = await get(...args);
    if (args[0] === sessionKey && logout === null) {
      logout = api(instance.url, "POST", "/api/logout", bearer(guest.sessionId));
      await logout;
    }
    return value;
  });

  const username = newUsername();
  await client
    .send("server/REGISTER_USER", { username, password: PASSWORD }, 3_000)
    .catch(() => null); // the logout may close the socket before the ack
  assert.ok(logout !== null, "the race was staged");
  const users = instance.ctx.mongo.db.collection<{ _id: string }>("users");
  for (let i = 0; i < 50 && (await users.countDocuments({ _id: guest.user.id })) === 0; i++)
    await sleep(50);
  await sleep(200);

  assert.equal(await redis.pTTL(sessionKey), -2, "the logged-out session stays gone");
  for (const s of await sessionsInRedis(instance))
    assert.ok(s.ttlMs > 0, `${s.key} (${s.record.username}) has no TTL`);
  assert.equal(
    (await api(instance.url, "GET", "/api/session", bearer(guest.sessionId))).status,
    401,
  );
});

test("a registration whose session rewrite failed (Redis away) completes when retried", async (t) => {
  const instance = await instanceFor(t);
  const client = connect(instance.url);
  t.after(() => client.close());
  const guest = await client.next("client/RESUME_SESSION");
  const username = newUsername();

  // The first attempt inserts the account, then Redis fails it before the sessions are rewritten.
  let failures = 1;
  intercept(t, instance, "sMembers", (sMembers) => async (...args: Parameters<typeof sMembers>) => {
    if (failures-- > 0) throw new Error("simulated Redis outage");
    return sMembers(...args);
  });
  const failed = await client.send("server/REGISTER_USER", { username, password: PASSWORD });
  assert.equal(!failed.ok && failed.error.code, "INTERNAL");
  const halfway = await api(instance.url, "GET", "/api/session", bearer(guest.sessionId));
  assert.equal(halfway.json.user.guest, true, "the session still says guest");

  const otherPassword = await client.send("server/REGISTER_USER", {
    username,
    password: "another password",
  });
  assert.equal(!otherPassword.ok && otherPassword.error.code, "UNAUTHORIZED");
  const retried = await client.send("server/REGISTER_USER", { username, password: PASSWORD });
  assert.equal(retried.ok, true, JSON.stringify(retried));
  const resumed = await client.nextWhere("client/RESUME_SESSION", (p) => !p.user.guest);
  assert.deepEqual(
    { id: resumed.user.id, username: resumed.user.username, sessionId: resumed.sessionId },
    { id: guest.user.id, username, sessionId: guest.sessionId },
  );
  const session = await api(instance.url, "GET", "/api/session", bearer(guest.sessionId));
  assert.deepEqual(
    { guest: session.json.user.guest, username: session.json.user.username },
    { guest: false, username },
  );
  assert.equal(await instance.ctx.mongo.db.collection("users").countDocuments({}), 1);
});

test("a guest whose account was inserted by an attempt that then died can register it again", async (t) => {
  const instance = await instanceFor(t);
  const client = connect(instance.url);
  t.after(() => client.close());
  const guest = await client.next("client/RESUME_SESSION");
  const username = newUsername();
  // The state a crash between the two steps leaves: the account exists, the session says guest.
  await createAccount(instance.ctx, { username, password: PASSWORD }, guest.user.id);
  const other = await client.send("server/REGISTER_USER", {
    username: newUsername(),
    password: PASSWORD,
  });
  assert.equal(!other.ok && other.error.code, "UNAUTHORIZED", "a different name is refused");
  const ack = await client.send("server/REGISTER_USER", { username, password: PASSWORD });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  assert.equal(
    (await api(instance.url, "GET", "/api/session", bearer(guest.sessionId))).json.user.guest,
    false,
  );
});
