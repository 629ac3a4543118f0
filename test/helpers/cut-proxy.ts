// A TCP proxy on loopback whose link can be cut for a while: every open connection is closed and
// new ones are refused until the cut ends. An instance whose Redis sits behind it loses its Redis
// (its commands and its subscriber) for exactly that long, while the rest of the test does not.
import { createServer, connect as tcpConnect, type AddressInfo, type Socket } from "node:net";

export interface CutProxy {
  /** `redis://` when the target is. */
  url: string;
  /** Closes every connection and refuses new ones for `ms`. */
  cut: (ms: number) => void;
  /**
   * Closes, once, the next connection that sends `text` (a command or a channel name), before
   * Redis gets it: that connection's command in flight fails, the others are untouched.
   */
  cutWhenSent: (text: string) => void;
  close: () => Promise<void>;
}

export async function cutProxy(target: string): Promise<CutProxy> {
  const { protocol, hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let cutUntil = 0;
  let watchFor: string | null = null;
  const server = createServer((client) => {
    if (Date.now() < cutUntil) return void client.destroy();
    const upstream = tcpConnect(Number(port), hostname);
    open.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => {
      if (watchFor !== null && chunk.includes(watchFor)) {
        watchFor = null;
        client.destroy(); // and so its upstream: Redis never gets the chunk
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on("error", () => to.destroy());
      from.on("close", () => {
        open.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port: own } = server.address() as AddressInfo;
  return {
    url: `${protocol}//127.0.0.1:${own}`,
    cut: (ms) => {
      cutUntil = Date.now() + ms;
      for (const s of open) s.destroy();
    },
    cutWhenSent: (text) => {
      watchFor = text;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
