// Instances behind the stack's own nginx, configured as `npm start` configures them, and clients
// that come from an address of their choice: loopback is a whole /8, so 127.0.0.2, 127.0.0.3 …
// are as many distinct clients on one machine.
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { freePort, NGINX_TRUST_PROXY, startNginx } from "../../scripts/lib/services.js";
import type { Instance } from "../../src/instance.js";
import { checkBody, type ApiBody, type ApiResponse } from "./accounts.js";
import { clusterFor } from "./instances.js";

/** `count` in-process instances with the stack's TRUST_PROXY, behind nginx; its base URL. */
export async function behindNginx(
  t: { after: (fn: () => Promise<void>) => void },
  env: Record<string, string>,
  count = 2,
): Promise<{ url: string; instances: Instance[] }> {
  const instances = await clusterFor(t, { ...env, TRUST_PROXY: NGINX_TRUST_PROXY }, count);
  const dir = mkdtempSync(join(tmpdir(), "chess-nginx-"));
  const ports = instances.map((i) => Number(new URL(i.url).port));
  const nginx = await startNginx(await freePort(), ports, dir);
  t.after(async () => {
    await nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { url: nginx.url, instances };
}

/** The n-th test client address on loopback: 127.0.0.2 and up (127.0.0.1 is nginx's own). */
export const clientAddress = (n: number): string =>
  `127.0.${Math.floor((n + 2) / 256)}.${(n + 2) % 256}`;

/**
 * An HTTP request (JSON body) sent from `localAddress`. With `gate`, the headers go at once and
 * the body only when the gate opens, so that many requests, already connected, land together.
 */
export function apiFrom(
  localAddress: string,
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; gate?: Promise<void> } = {},
): Promise<ApiResponse> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        checkBody(text);
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : [value ?? ""])
            responseHeaders.append(name, v);
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: responseHeaders,
          text,
          json: (text.length > 0 ? JSON.parse(text) : null) as ApiBody,
        });
      });
    });
    req.on("error", reject);
    if (options.gate === undefined) return req.end(body);
    req.flushHeaders();
    void options.gate.then(() => req.end(body));
  });
}

/** A sessionless socket from `localAddress`: resolves "connected" or the connect_error's message. */
export async function handshakeFrom(
  t: { after: (fn: () => void) => void },
  localAddress: string,
  base: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const socket: Socket = io(base, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    localAddress,
    extraHeaders: headers,
  } as Parameters<typeof io>[1]);
  t.after(() => socket.close());
  return new Promise((resolve) => {
    socket.once("connect", () => resolve("connected"));
    socket.once("connect_error", (err) => resolve(err.message));
  });
}

/** A random public-looking IPv4 address, as a client would forge in X-Forwarded-For. */
export const randomAddress = (): string =>
  Array.from({ length: 4 }, () => 1 + Math.floor(Math.random() * 254)).join(".");
