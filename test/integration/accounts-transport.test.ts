// How a session travels and where a page may connect: the socket takes the session from its
// `auth` payload, the cookie, or the query; the page's CSP lets it open connections only to its
// own origin and ALLOWED_ORIGINS.
import assert from "node:assert/strict";
import { test } from "node:test";
import { io, type Socket } from "socket.io-client";
import type { ServerEvents } from "../../src/protocol/types.js";
import { api, register } from "../helpers/accounts.js";
import { testEnv } from "../helpers/env.js";
import { startInProcess } from "../helpers/instances.js";
import { apiFrom } from "../helpers/proxied.js";

type Resumed = ServerEvents["client/RESUME_SESSION"];

/** A socket with the given client options; its first RESUME_SESSION. */
function resumeWith(
  t: { after: (fn: () => void) => void },
  url: string,
  options: { auth?: Record<string, unknown>; query?: Record<string, string>; cookie?: string },
): Promise<Resumed> {
  const socket: Socket = io(url, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? {},
    query: options.query ?? {},
    extraHeaders: options.cookie === undefined ? {} : { cookie: options.cookie },
  });
  t.after(() => socket.close());
  return new Promise((resolve, reject) => {
    socket.on("action", (action: { type: string; payload: Resumed }) => {
      if (action.type === "client/RESUME_SESSION") resolve(action.payload);
    });
    socket.once("connect_error", reject);
  });
}

test("a socket presents its session in the auth payload, the sid cookie or the query", async (t) => {
  const instance = await startInProcess(testEnv());
  t.after(() => instance.close());
  const account = await register(instance.url);
  const guest = (await api(instance.url, "POST", "/api/guest")).json;

  const byAuth = await resumeWith(t, instance.url, { auth: { session: account.sessionId } });
  assert.deepEqual([byAuth.sessionId, byAuth.user.id], [account.sessionId, account.user.id]);
  const byCookie = await resumeWith(t, instance.url, {
    cookie: `theme=dark; sid=${account.sessionId}`,
  });
  assert.deepEqual([byCookie.sessionId, byCookie.user.id], [account.sessionId, account.user.id]);
  const byQuery = await resumeWith(t, instance.url, { query: { session: account.sessionId } });
  assert.equal(byQuery.sessionId, account.sessionId, "the query still works");

  const explicit = await resumeWith(t, instance.url, {
    auth: { session: guest.sessionId },
    cookie: `sid=${account.sessionId}`,
  });
  assert.equal(explicit.sessionId, guest.sessionId, "a session named explicitly wins");
  const unknown = await resumeWith(t, instance.url, { auth: { session: { $gt: "" } } });
  assert.equal(unknown.user.guest, true, "anything else in auth is no session: a new guest");
  assert.notEqual(unknown.user.id, guest.user.id);
});

test("the CSP lets a page connect to its own origin and ALLOWED_ORIGINS, not to any host", async (t) => {
  const plain = await startInProcess(testEnv());
  t.after(() => plain.close());
  const listed = await startInProcess(
    testEnv({ ALLOWED_ORIGINS: "https://chess.example,http://lan.example:8080" }),
  );
  t.after(() => listed.close());

  const connectSrc = async (url: string, headers: Record<string, string> = {}) => {
    // node:http, as fetch would not send a Host of our choosing.
    const res = await apiFrom("127.0.0.1", url, "GET", "/healthz", { headers });
    const csp = res.headers.get("content-security-policy") ?? "";
    const directive = csp.split(";").find((d) => d.trim().startsWith("connect-src"));
    assert.ok(directive, csp);
    return directive.trim().split(/\s+/).slice(1);
  };
  const own = new URL(plain.url).host;
  const sources = await connectSrc(plain.url);
  assert.deepEqual(sources.sort(), ["'self'", `ws://${own}`, `wss://${own}`].sort());
  for (const source of sources) assert.doesNotMatch(source, /^(ws|wss|https?):?$|\*/);

  const withList = await connectSrc(listed.url, { host: "chess.example" });
  for (const expected of [
    "https://chess.example",
    "wss://chess.example",
    "http://lan.example:8080",
    "ws://lan.example:8080",
    "ws://chess.example",
  ])
    assert.ok(withList.includes(expected), `${expected} in ${withList.join(" ")}`);
  assert.deepEqual(
    await connectSrc(plain.url, { host: "evil host;script-src *" }),
    ["'self'"],
    "a malformed Host adds nothing",
  );
});
