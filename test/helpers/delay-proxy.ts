// A TCP proxy on loopback that holds every chunk for `delayMs` in each direction, in order: a
// client behind it has a real round trip of 2 × delayMs to the server, heartbeat included.
import { createServer, connect as tcpConnect, type AddressInfo, type Socket } from "node:net";

export interface DelayProxy {
  url: string;
  close: () => Promise<void>;
}

export async function delayProxy(target: string, delayMs: number): Promise<DelayProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  const relay = (from: Socket, to: Socket) => {
    // Timers of one duration fire in the order they were set: chunks keep their order.
    from.on("data", (chunk) => setTimeout(() => to.writable && to.write(chunk), delayMs));
    from.on("end", () => setTimeout(() => to.end(), delayMs));
    from.on("error", () => to.destroy());
    from.on("close", () => setTimeout(() => to.destroy(), delayMs));
  };
  const server = createServer((client) => {
    const upstream = tcpConnect(Number(port), hostname);
    open.add(client).add(upstream);
    client.on("close", () => open.delete(client));
    upstream.on("close", () => open.delete(upstream));
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port: own } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
