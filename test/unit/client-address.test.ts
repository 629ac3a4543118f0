// The client's address under each TRUST_PROXY form, the same for Express and the socket handshake,
// and the key per-address limits count it under (an IPv6 client by its /64).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import express from "express";
import { addressKey, clientAddress, trustFunction } from "../../src/client-address.js";
import { loadConfig } from "../../src/config.js";

const cases: { trust: string; peer: string; forwarded?: string; client: string }[] = [
  { trust: "off", peer: "127.0.0.1", forwarded: "6.6.6.6", client: "127.0.0.1" },
  { trust: "1", peer: "127.0.0.1", forwarded: "6.6.6.6, 10.0.0.7", client: "10.0.0.7" },
  { trust: "2", peer: "127.0.0.1", forwarded: "6.6.6.6, 10.0.0.7, 10.0.0.8", client: "10.0.0.7" },
  { trust: "1", peer: "127.0.0.1", client: "127.0.0.1" },
  { trust: "127.0.0.1", peer: "127.0.0.1", forwarded: "6.6.6.6, 127.0.0.2", client: "127.0.0.2" },
  { trust: "127.0.0.1", peer: "127.0.0.2", forwarded: "6.6.6.6", client: "127.0.0.2" },
  {
    trust: "10.0.0.0/8, 127.0.0.1",
    peer: "127.0.0.1",
    forwarded: "8.8.8.8, 10.1.2.3",
    client: "8.8.8.8",
  },
  { trust: "loopback", peer: "::1", forwarded: "2001:db8::5", client: "2001:db8::5" },
];

test("the client is the address the nearest untrusted hop came from", () => {
  for (const c of cases) {
    const config = loadConfig({ TRUST_PROXY: c.trust });
    const headers = c.forwarded === undefined ? {} : { "x-forwarded-for": c.forwarded };
    assert.equal(clientAddress(config, { headers, address: c.peer }), c.client, JSON.stringify(c));
  }
});

test("Express's req.ip follows the same rule", async (t) => {
  const app = express();
  app.get("/", (req, res) => {
    res.send(req.ip);
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  for (const c of cases.filter((c) => c.peer === "127.0.0.1")) {
    const config = loadConfig({ TRUST_PROXY: c.trust });
    app.set("trust proxy", trustFunction(config));
    const headers: Record<string, string> =
      c.forwarded === undefined ? {} : { "x-forwarded-for": c.forwarded };
    const ip = await (await fetch(`http://127.0.0.1:${port}/`, { headers })).text();
    assert.equal(ip, clientAddress(config, { headers, address: "127.0.0.1" }), c.trust);
    assert.equal(ip, c.client, c.trust);
  }
});

test("per-address limits count IPv4 addresses one by one and IPv6 addresses by their /64", () => {
  assert.equal(addressKey("203.0.113.9"), "203.0.113.9");
  assert.equal(addressKey("::ffff:203.0.113.9"), "203.0.113.9");
  assert.equal(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:db8:1:2::1"), addressKey("2001:0db8:0001:0002:ffff::9"));
  assert.notEqual(addressKey("2001:db8:1:2::1"), addressKey("2001:db8:1:3::1"));
  assert.equal(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
  assert.equal(addressKey("unknown"), "unknown");
});
