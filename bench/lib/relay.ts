// A bare Socket.IO relay, the yardstick of the lifecycle benchmark: it speaks just enough of the
// protocol for the same bots (RESUME_SESSION, START_MATCHMAKING, START_GAME, PLAYER_MOVE with its
// ack and an UPDATE_GAME to both players, CONCEDE, GAME_OVER), pairs the first two sockets queued
// in a pool at once, and checks nothing but the ply: no Redis, no rules, no clocks, no archive.
// What the chess server costs is its figures next to these. Run: `node relay.js PORT`.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { Server, type Socket } from "socket.io";
import { freeStablePort, waitForPort } from "../../scripts/lib/services.js";

type Ack = (reply: unknown) => void;
interface Message {
  type: string;
  payload?: { timeControl?: string; gameId?: string; move?: string; ply?: number };
}
interface Game {
  id: string;
  white: Socket;
  black: Socket;
  ply: number;
}

const refuse = (code: string) => ({ ok: false, error: { code, message: code } });

export function startRelay(port: number): Promise<() => Promise<void>> {
  const http = createServer();
  const io = new Server(http, { transports: ["websocket"], serveClient: false });
  const waiting = new Map<string, Socket>();
  const games = new Map<string, Game>();
  const userIds = new WeakMap<Socket, string>();
  let ids = 0;

  const start = (white: Socket, black: Socket) => {
    const game: Game = { id: `g${ids++}`, white, black, ply: 0 };
    games.set(game.id, game);
    const payload = {
      game: {
        id: game.id,
        white: { id: userIds.get(white) },
        black: { id: userIds.get(black) },
        ply: 0,
      },
    };
    for (const s of [white, black]) s.emit("action", { type: "client/START_GAME", payload });
  };

  const handle = (socket: Socket, { type, payload = {} }: Message, ack: Ack) => {
    switch (type) {
      case "server/START_MATCHMAKING": {
        const pool = String(payload.timeControl);
        const other = waiting.get(pool);
        ack({ ok: true, state: { status: "queued", timeControl: pool } });
        if (other !== undefined && other !== socket && other.connected) {
          waiting.delete(pool);
          start(other, socket);
        } else waiting.set(pool, socket);
        return;
      }
      case "server/CANCEL_MATCHMAKING": {
        for (const [pool, s] of waiting)
          if (s === socket) {
            waiting.delete(pool);
            return ack({ ok: true, state: { status: "idle" } });
          }
        return ack(refuse("NOT_IN_QUEUE"));
      }
      case "game/PLAYER_MOVE": {
        const game = games.get(String(payload.gameId));
        if (game === undefined) return ack(refuse("NOT_FOUND"));
        if (payload.ply !== game.ply) return ack(refuse("STALE_PLY"));
        game.ply++;
        ack({ ok: true, ply: game.ply });
        const update = {
          type: "client/UPDATE_GAME",
          payload: { gameId: game.id, v: game.ply, ply: game.ply, move: { uci: payload.move } },
        };
        game.white.emit("action", update);
        game.black.emit("action", update);
        return;
      }
      case "game/CONCEDE": {
        const game = games.get(String(payload.gameId));
        if (game === undefined) return ack(refuse("NOT_FOUND"));
        games.delete(game.id);
        ack({ ok: true });
        const winner = game.white === socket ? "black" : "white";
        const over = {
          type: "client/GAME_OVER",
          payload: { gameId: game.id, reason: "resign", winner, v: game.ply + 1 },
        };
        game.white.emit("action", over);
        game.black.emit("action", over);
        return;
      }
      default:
        ack(refuse("UNKNOWN_TYPE"));
    }
  };

  io.on("connection", (socket) => {
    const userId = `relay-${ids++}`;
    userIds.set(socket, userId);
    socket.emit("action", {
      type: "client/RESUME_SESSION",
      payload: { sessionId: userId, user: { id: userId, username: userId }, state: {} },
    });
    socket.on("action", (message: Message, ack?: Ack) =>
      handle(socket, message, ack ?? (() => {})),
    );
  });
  return new Promise((resolve) =>
    http.listen(port, "127.0.0.1", () =>
      resolve(() => new Promise<void>((done) => void io.close(() => done()))),
    ),
  );
}

/** The relay (bench/lib/relay.ts) in its own process, so that its CPU is its own. */
export async function spawnRelay(): Promise<{
  url: string;
  pid: number;
  stop: () => Promise<void>;
}> {
  const port = await freeStablePort();
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL("./relay.js", import.meta.url)), String(port)],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  await waitForPort(port, 10_000, child);
  const ended = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await ended;
    },
  };
}

if (process.argv[1]?.endsWith("/relay.js")) {
  const port = Number(process.argv[2]);
  void startRelay(port).then((stop) => {
    process.on("SIGTERM", () => void stop().then(() => process.exit(0)));
  });
}
