// The instance's own estimate of each socket's round trip, from Engine.IO's heartbeat: the time
// from a ping the server writes to the client's pong, smoothed. Socket.IO pings every 25 s, too
// seldom for a bullet game's first moves, so a few extra pings go out in a socket's first seconds.
// It is the bound the server puts on a client's `lag` claim (src/domain/lag.ts); it costs no Redis
// work and nothing per move.
import type { IoSocket } from "./io.js";

/** When the extra pings go out, ms after the connection. */
const EARLY_PINGS_MS = [250, 1_000, 2_500, 5_000];
/** Weight of a new sample in the moving average (lichess smooths its lag the same way). */
const ALPHA = 0.3;

interface Packet {
  type: string;
}

/** Engine.IO writes a packet with this method; it is not in its typings (`private`). */
interface Pinging {
  readyState: string;
  sendPacket?: (type: "ping") => void;
}

export function trackRoundTrips(socket: IoSocket): void {
  const conn = socket.conn;
  let sentAt: number | null = null;
  conn.on("packetCreate", (packet: Packet) => {
    if (packet.type === "ping") sentAt = performance.now();
  });
  conn.on("packet", (packet: Packet) => {
    if (packet.type !== "pong" || sentAt === null) return;
    const sample = performance.now() - sentAt;
    sentAt = null;
    const previous = socket.data.rttMs;
    socket.data.rttMs = previous === undefined ? sample : previous + ALPHA * (sample - previous);
  });
  const timers = EARLY_PINGS_MS.map((ms) =>
    setTimeout(() => {
      const pinging = conn as unknown as Pinging;
      // A ping still unanswered is not doubled: its pong will come, or the heartbeat closes it.
      if (sentAt !== null || pinging.readyState !== "open") return;
      pinging.sendPacket?.("ping");
    }, ms),
  );
  socket.on("disconnect", () => timers.forEach(clearTimeout));
}

/** The socket's smoothed round trip in whole ms; 0 before the first pong (no credit yet). */
export function roundTripOf(socket: IoSocket): number {
  return Math.round(socket.data.rttMs ?? 0);
}
