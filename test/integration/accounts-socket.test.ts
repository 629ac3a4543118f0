// Sessions on the socket: a guest registering in place (server/REGISTER_USER), logout closing the
// session everywhere, and a guest session outliving a restart of every instance.
import assert from "node:assert/strict";
import { test } from "node:test";
import { api, newUsername, PASSWORD, register } from "../helpers/accounts.js";
import { connect, type TestClient } from "../helpers/client.js";
import { testEnv } from "../helpers/env.js";
import { clusterFor, spawnInstance, startInProcess } from "../helpers/instances.js";
import { rooms } from "../../src/store/keys.js";
import type { UserDoc } from "../../src/store/users.js";

async function twoInstances(t: { after: (fn: () => Promise<void>) => void }) {
  const [a, b] = await clusterFor(t, testEnv(), 2);
  return { a: a!, b: b! };
}

function open(t: { after: (fn: () => void) => void }, url: string, session?: string): TestClient {
  const client = connect(url, session);
  t.after(() => client.close());
  return client;
}

const queued = {
  status: "queued",
  timeControl: "3+2",
  rated: false,
  since: 1_700_000_000_000,
  autoAccept: false,
};

test("REGISTER_USER keeps the guest's user id and queue place, and every socket of the user learns it", async (t) => {
  const { a, b } = await twoInstances(t);
  const first = open(t, a.url);
  const guest = await first.next("client/RESUME_SESSION");
  const second = open(t, b.url, guest.sessionId);
  assert.equal((await second.next("client/RESUME_SESSION")).user.id, guest.user.id);
  // A queue place, as the matchmaker would have written it.
  await a.ctx.redis.set(a.ctx.keys.live(guest.user.id), JSON.stringify(queued));

  const username = newUsername();
  const ack = await first.send("server/REGISTER_USER", { username, password: PASSWORD });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  const expected = {
    sessionId: guest.sessionId,
    user: { id: guest.user.id, username, guest: false, ratings: guest.user.ratings },
    state: { status: "queued", timeControl: "3+2", rated: false, since: queued.since },
  };
  const resumed = { ...expected, challenges: [] };
  assert.deepEqual(await first.next("client/RESUME_SESSION"), resumed);
  assert.deepEqual(
    await second.next("client/RESUME_SESSION"),
    resumed,
    "the socket on B learns it too",
  );

  const doc = await a.ctx.mongo.db
    .collection<UserDoc>("users")
    .findOne({ usernameLower: username.toLowerCase() });
  assert.equal(doc?._id, guest.user.id, "the account's id is the guest's id");
  const session = await api(b.url, "GET", "/api/session", {
    headers: { authorization: `Bearer ${guest.sessionId}` },
  });
  assert.deepEqual(session.json, expected, "the session itself now names the account");
  const login = await api(b.url, "POST", "/api/login", { body: { username, password: PASSWORD } });
  assert.equal(login.json.user.id, guest.user.id);

  // B's socket learned it from the broadcast: its server-side user is the account now, so its
  // later actions (a rated START_MATCHMAKING, say) are judged as the account's.
  const onB = await b.io.in(rooms.user(guest.user.id)).local.fetchSockets();
  assert.equal(onB.length, 1);
  const { userId, username: nameOnB, guest: guestOnB } = onB[0]!.data.user;
  assert.deepEqual(
    { userId, nameOnB, guestOnB },
    { userId: guest.user.id, nameOnB: username, guestOnB: false },
  );
  for (const client of [first, second]) {
    const again = await client.send("server/REGISTER_USER", {
      username: newUsername(),
      password: PASSWORD,
    });
    assert.equal(!again.ok && again.error.code, "UNAUTHORIZED");
  }
  const reconnect = open(t, b.url, guest.sessionId);
  assert.deepEqual(
    await reconnect.next("client/RESUME_SESSION"),
    resumed,
    "a new connection resumes the account",
  );
});

test("REGISTER_USER from an account is UNAUTHORIZED; a taken name is USERNAME_TAKEN and the guest stays", async (t) => {
  const { a } = await twoInstances(t);
  const taken = newUsername();
  const account = await register(a.url, taken);
  const registered = open(t, a.url, account.sessionId);
  await registered.next("client/RESUME_SESSION");
  const refused = await registered.send("server/REGISTER_USER", {
    username: newUsername(),
    password: PASSWORD,
  });
  assert.equal(!refused.ok && refused.error.code, "UNAUTHORIZED");

  const guest = open(t, a.url);
  const before = await guest.next("client/RESUME_SESSION");
  const clash = await guest.send("server/REGISTER_USER", {
    username: taken.toUpperCase(),
    password: PASSWORD,
  });
  assert.equal(!clash.ok && clash.error.code, "USERNAME_TAKEN");
  const session = await api(a.url, "GET", "/api/session", {
    headers: { authorization: `Bearer ${before.sessionId}` },
  });
  assert.deepEqual(session.json.user, before.user, "still the same guest");
});

test("two sockets of one guest registering at once under different names make one account", async (t) => {
  const { a, b } = await twoInstances(t);
  const first = open(t, a.url);
  const guest = await first.next("client/RESUME_SESSION");
  const second = open(t, b.url, guest.sessionId);
  await second.next("client/RESUME_SESSION");
  const acks = await Promise.all([
    first.send("server/REGISTER_USER", { username: newUsername(), password: PASSWORD }),
    second.send("server/REGISTER_USER", { username: newUsername(), password: PASSWORD }),
  ]);
  const codes = acks.map((ack) => (ack.ok ? "ok" : ack.error.code)).sort();
  assert.deepEqual(codes, ["UNAUTHORIZED", "ok"]);
  assert.equal(await a.ctx.mongo.db.collection("users").countDocuments({}), 1);
});

test("logout on A ends the session everywhere: HTTP 401 on both, its socket on B closed, a reconnect is a guest", async (t) => {
  const { a, b } = await twoInstances(t);
  const username = newUsername();
  const { sessionId, user } = await register(a.url, username);
  const other = await api(b.url, "POST", "/api/login", { body: { username, password: PASSWORD } });
  const socket = open(t, b.url, sessionId);
  assert.equal((await socket.next("client/RESUME_SESSION")).user.id, user.id);
  const closed = new Promise<string>((resolve) =>
    socket.socket.once("disconnect", (reason) => resolve(reason)),
  );

  const out = await api(a.url, "POST", "/api/logout", { headers: { cookie: `sid=${sessionId}` } });
  assert.equal(out.status, 204);
  assert.match(
    out.headers.getSetCookie()[0] ?? "",
    /^sid=;.*Expires=Thu, 01 Jan 1970/i,
    "the cookie is cleared",
  );
  for (const url of [a.url, b.url]) {
    const res = await api(url, "GET", "/api/session", { headers: { cookie: `sid=${sessionId}` } });
    assert.equal(res.status, 401);
    assert.equal(res.json.error.code, "NO_SESSION");
  }
  assert.equal(await closed, "io server disconnect");
  // The server closed it, so the client does not reconnect by itself; a new connection with the
  // dead session is a fresh guest.
  const after = open(t, b.url, sessionId);
  const resumed = await after.next("client/RESUME_SESSION");
  assert.equal(resumed.user.guest, true);
  assert.notEqual(resumed.user.id, user.id);
  assert.notEqual(resumed.sessionId, sessionId);

  // The other login of the same user is untouched; logging it out by Bearer works the same way.
  const bearer = { authorization: `Bearer ${other.json.sessionId}` };
  assert.equal((await api(a.url, "GET", "/api/session", { headers: bearer })).status, 200);
  assert.equal((await api(b.url, "POST", "/api/logout", { headers: bearer })).status, 204);
  assert.equal((await api(a.url, "GET", "/api/session", { headers: bearer })).status, 401);
  assert.equal(
    (await api(a.url, "POST", "/api/logout", { headers: bearer })).status,
    204,
    "idempotent",
  );
  assert.equal((await api(a.url, "POST", "/api/logout")).status, 204, "no session at all");
});

test("a guest session and its live state survive a restart of every instance", async (t) => {
  const env = testEnv();
  let instances = await Promise.all([spawnInstance(env), spawnInstance(env)]);
  t.after(async () => {
    for (const instance of instances) await instance.kill();
  });
  const guest = await api(instances[0].url, "POST", "/api/guest");
  const { sessionId, user } = guest.json;
  const before = open(t, instances[1].url, sessionId);
  assert.equal((await before.next("client/RESUME_SESSION")).user.id, user.id);
  const probe = await startInProcess(env);
  await probe.ctx.redis.set(probe.ctx.keys.live(user.id), JSON.stringify(queued));
  await probe.close();
  before.close();

  await Promise.all(instances.map((instance) => instance.stop()));
  instances = await Promise.all([spawnInstance(env), spawnInstance(env)]);

  for (const instance of instances) {
    const client = open(t, instance.url, sessionId);
    const resumed = await client.next("client/RESUME_SESSION");
    assert.equal(resumed.sessionId, sessionId);
    assert.deepEqual(resumed.user, user);
    assert.deepEqual(resumed.state, {
      status: "queued",
      timeControl: "3+2",
      rated: false,
      since: queued.since,
    });
    const session = await api(instance.url, "GET", "/api/session", {
      headers: { cookie: `sid=${sessionId}` },
    });
    assert.equal(session.json.user.id, user.id);
  }
});
