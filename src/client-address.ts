// Who the client is, for per-address limits: one rule (TRUST_PROXY) for Express and the socket
// handshake, and the key an address is counted under.
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import ipaddr from "ipaddr.js";
import proxyAddr from "proxy-addr";
import type { Config, TrustProxy } from "./config.js";

/** proxy-addr's trust function: is the hop `index` away from us (0: the peer) a proxy we trust? */
export type TrustFunction = (address: string, index: number) => boolean;

function compileTrust(setting: TrustProxy): TrustFunction {
  switch (setting.mode) {
    case "off":
      return () => false;
    case "hops":
      return (_address, index) => index < setting.hops;
    case "addresses":
      return proxyAddr.compile(setting.addresses);
  }
}

const compiled = new WeakMap<TrustProxy, TrustFunction>();

/** The TRUST_PROXY rule, as Express's `trust proxy` setting takes it. */
export function trustFunction(config: Pick<Config, "TRUST_PROXY">): TrustFunction {
  let trust = compiled.get(config.TRUST_PROXY);
  if (trust === undefined) {
    trust = compileTrust(config.TRUST_PROXY);
    compiled.set(config.TRUST_PROXY, trust);
  }
  return trust;
}

/**
 * The address the nearest untrusted hop came from: the peer itself unless it is a trusted proxy,
 * then walking `X-Forwarded-For` from its right end (the entry our own proxy wrote) leftwards, so
 * that entries the client wrote itself are never reached while a trusted hop stands before them.
 * This is what Express computes as `req.ip` with the same trust function.
 */
export function clientAddress(
  config: Pick<Config, "TRUST_PROXY">,
  peer: { headers: IncomingHttpHeaders; address: string | undefined },
): string {
  const req = { headers: peer.headers, socket: { remoteAddress: peer.address } };
  return proxyAddr(req as unknown as IncomingMessage, trustFunction(config)) ?? "unknown";
}

/**
 * The key a per-address limit counts an address under: an IPv4 address as it is (IPv4-mapped IPv6
 * included), an IPv6 address by its /64, since one subscriber is usually given a whole /64 and
 * could otherwise take a fresh address for every request.
 */
export function addressKey(address: string): string {
  const bare = address.replace(/%.*$/, "");
  if (!ipaddr.isValid(bare)) return address;
  const ip = ipaddr.parse(bare);
  if (ip.kind() === "ipv4") return ip.toString();
  const v6 = ip as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(":")}::/64`;
}
