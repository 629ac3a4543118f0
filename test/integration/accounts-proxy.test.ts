// Per-address limits behind the stack's real nginx, configured as `npm start` configures it: each
// client is counted by the address nginx saw it come from, whatever X-Forwarded-For it writes,
// and concurrent attempts on one username try no more passwords than its limit. IPv6 clients are
// counted by their /64.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sleep } from "../../scripts/lib/services.js";
import type { Instance } from "../../src/instance.js";
import { RATE_LIMITS } from "../../src/store/rate-limits.js";
import { newUsername, PASSWORD } from "../helpers/accounts.js";
import { testEnv } from "../helpers/env.js";
import { clusterFor } from "../helpers/instances.js";
import {
  apiFrom,
  behindNginx,
  clientAddress,
  handshakeFrom,
  randomAddress,
} from "../helpers/proxied.js";

const credentials = (username: string, password = PASSWORD) => ({ body: { username, password } });

test("through nginx, an address that fails 60 logins is limited whatever X-Forwarded-For it writes; a user elsewhere logs in at once", async (t) => {
  const { url } = await behindNginx(t, testEnv({ RATE_LIMITS: "on" }));
  const [attacker, player, registrar] = [clientAddress(0), clientAddress(1), clientAddress(2)];
  const username = newUsername();
  const registered = await apiFrom(registrar, url, "POST", "/api/register", credentials(username));
  assert.equal(registered.status, 201, registered.text);

  const statuses: number[] = [];
  for (let i = 0; i < 60; i++) {
    const res = await apiFrom(attacker, url, "POST", "/api/login", {
      ...credentials(newUsername()),
      headers: { "x-forwarded-for": `${randomAddress()}, ${randomAddress()}` },
    });
    statuses.push(res.status);
  }
  const limit = RATE_LIMITS.loginFailuresPerAddress.points;
  assert.deepEqual(statuses.slice(0, limit), Array<number>(limit).fill(401));
  assert.deepEqual(statuses.slice(limit), Array<number>(60 - limit).fill(429));
  const rightPassword = await apiFrom(attacker, url, "POST", "/api/login", {
    ...credentials(username),
    headers: { "x-forwarded-for": randomAddress() },
  });
  assert.equal(rightPassword.status, 429, "the attacker's address waits, right password or not");

  const elsewhere = await apiFrom(player, url, "POST", "/api/login", credentials(username));
  assert.equal(elsewhere.status, 200, "another address is another client");
  // Writing the attacker's address into the header does not make a client the attacker either.
  const framed = await apiFrom(clientAddress(3), url, "POST", "/api/login", {
    ...credentials(username),
    headers: { "x-forwarded-for": attacker },
  });
  assert.equal(framed.status, 200);
});

/**
 * Counts the password checks the instances make: each looks the account's hash up. A refusal that
 * comes after the check (a limit counted only once the check failed) still cost a try.
 */
function countPasswordChecks(instances: Instance[]): () => number {
  let checks = 0;
  for (const { ctx } of instances) {
    const db = ctx.mongo.db as unknown as { collection: (name: string) => unknown };
    const collection = db.collection.bind(db);
    db.collection = (name: string) => {
      type Options = { projection?: { passwordHash?: 1 } } | undefined;
      const users = collection(name) as { findOne: (f: unknown, o: Options) => unknown };
      if (name !== "users") return users;
      const findOne = users.findOne.bind(users);
      users.findOne = (filter: unknown, options: Options) => {
        if (options?.projection?.passwordHash) checks += 1;
        return findOne(filter, options);
      };
      return users;
    };
  }
  return () => checks;
}

test("through nginx, 100 concurrent wrong-password logins for one username from 100 addresses: no more answers, nor passwords tried, than the username's limit", async (t) => {
  const { url, instances } = await behindNginx(t, testEnv({ RATE_LIMITS: "on" }));
  const username = newUsername();
  const registered = await apiFrom(clientAddress(0), url, "POST", "/api/register", {
    body: { username, password: PASSWORD },
  });
  assert.equal(registered.status, 201);
  // All 100 connect first, then send their bodies at once: every password check overlaps.
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const pending = Array.from({ length: 100 }, (_, i) =>
    apiFrom(clientAddress(10 + i), url, "POST", "/api/login", {
      body: { username, password: `wrong password ${i}` },
      gate,
    }),
  );
  await sleep(500);
  const passwordChecks = countPasswordChecks(instances);
  open();
  const answers = await Promise.all(pending);
  const limit = RATE_LIMITS.loginFailuresPerUsername.points;
  const answered = answers.filter((res) => res.status !== 429);
  assert.ok(answered.length <= limit, `${answered.length} answers other than 429`);
  for (const res of answered) assert.equal(res.status, 401);
  assert.ok(passwordChecks() <= limit, `${passwordChecks()} passwords were tried`);
  const right = await apiFrom(clientAddress(200), url, "POST", "/api/login", {
    body: { username, password: PASSWORD },
  });
  assert.equal(
    right.status,
    429,
    "once the limit is reached, not even the right password is tried",
  );
});

test("through nginx, sessionless socket handshakes count against the same address as POST /api/guest", async (t) => {
  const { url } = await behindNginx(t, testEnv({ RATE_LIMITS: "on" }));
  const [flooder, other] = [clientAddress(0), clientAddress(1)];
  const limit = RATE_LIMITS.guestPerAddress.points;
  for (let i = 0; i < limit; i++) {
    const res = await apiFrom(flooder, url, "POST", "/api/guest", {
      headers: { "x-forwarded-for": randomAddress() },
    });
    assert.equal(res.status, 201, `guest ${i + 1}`);
  }
  assert.equal(
    await handshakeFrom(t, flooder, url, { "x-forwarded-for": randomAddress() }),
    "RATE_LIMITED",
  );
  assert.equal(await handshakeFrom(t, other, url, { "x-forwarded-for": flooder }), "connected");
});

test("behind a trusted proxy, IPv6 clients are counted by their /64; an untrusted peer's header is ignored", async (t) => {
  const [instance] = await clusterFor(
    t,
    testEnv({ RATE_LIMITS: "on", TRUST_PROXY: "127.0.0.1, 10.0.0.0/8" }),
    1,
  );
  const url = instance!.url;
  const hex = () => Math.floor(Math.random() * 0x10000).toString(16);
  const inSubnet = (subnet: string) => `${subnet}:${hex()}:${hex()}:${hex()}:${hex()}`;
  // The proxy (127.0.0.1) forwards each request; a second trusted hop may stand between.
  const viaProxy = (client: string) =>
    apiFrom("127.0.0.1", url, "POST", "/api/login", {
      ...credentials(newUsername()),
      headers: { "x-forwarded-for": `${randomAddress()}, ${client}, 10.1.2.3` },
    });
  for (let i = 0; i < RATE_LIMITS.loginFailuresPerAddress.points; i++)
    assert.equal((await viaProxy(inSubnet("2001:db8:a:b"))).status, 401, `attempt ${i + 1}`);
  assert.equal((await viaProxy(inSubnet("2001:db8:a:b"))).status, 429, "the same /64");
  assert.equal((await viaProxy(inSubnet("2001:db8:a:c"))).status, 401, "another /64");
  const untrusted = await apiFrom(clientAddress(0), url, "POST", "/api/login", {
    ...credentials(newUsername()),
    headers: { "x-forwarded-for": inSubnet("2001:db8:a:b") },
  });
  assert.equal(untrusted.status, 401, "a peer that is no trusted proxy is the client itself");
});
