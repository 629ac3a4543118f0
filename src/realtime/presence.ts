// Who is on each game, counted across instances: each instance writes its own part into the game's
// presence hash (presence-1.lua), whether it holds a socket of white, of black, and how many sockets
// watch. It writes when its part changes and refreshes it every heartbeat, so the part of an
// instance that died counts as gone once it is older than three heartbeats. From this hash come the
// game's client/CROWD (announced by the script when the crowd changes, at most once a second) and
// the claim of an abandoned game (game-action-4.lua). It costs nothing per move.
import { randomBytes } from "node:crypto";
import type { Logger } from "../log.js";
import type { Color, Game } from "../protocol/types.js";
import type { Keys } from "../store/keys.js";
import { type Redis } from "../store/redis.js";
import { LuaScript } from "../store/lua-script.js";
import type { IoSocket } from "./io.js";

const script = LuaScript.load("presence-1");

/** A presence hash lives this long after its last write (longer than any GONE_MS). */
const TTL_MS = 3_600_000;

type Role = Color | "watchers";

interface OnGame {
  white: Set<IoSocket>;
  black: Set<IoSocket>;
  watchers: Set<IoSocket>;
}

export interface PresenceDeps {
  redis: Redis;
  keys: Keys;
  log: Logger;
  heartbeatMs: number;
}

/** Whether every game the socket holds, it holds as a watcher (and it holds one). */
function markWatchOnly(socket: IoSocket, roles: Map<string, Role>): void {
  let watching = false;
  for (const role of roles.values()) {
    if (role !== "watchers") {
      socket.data.watchOnly = false;
      return;
    }
    watching = true;
  }
  socket.data.watchOnly = watching;
}

export class Presence {
  /** This process's name in the presence hashes. */
  readonly instance = randomBytes(6).toString("base64url");
  private readonly games = new Map<string, OnGame>();
  private readonly bySocket = new WeakMap<IoSocket, Map<string, Role>>();
  /** Crowd announcements waiting for their one-a-second turn, by game. */
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: PresenceDeps) {
    this.timer = setInterval(() => this.refresh(), deps.heartbeatMs);
    this.timer.unref();
  }

  /** A refresh older than this is an instance that stopped refreshing: its sockets are gone. */
  get staleMs(): number {
    return 3 * this.deps.heartbeatMs;
  }

  /** The socket has the live game (its START_GAME or RESUME_GAME). */
  join(socket: IoSocket, game: Game): void {
    if (game.status !== "started" || !socket.connected) return;
    const roles = this.bySocket.get(socket) ?? new Map<string, Role>();
    this.bySocket.set(socket, roles);
    if (roles.has(game.id)) return;
    const userId = socket.data.user.userId;
    const role: Role =
      game.white.id === userId ? "white" : game.black.id === userId ? "black" : "watchers";
    roles.set(game.id, role);
    markWatchOnly(socket, roles);
    let on = this.games.get(game.id);
    if (on === undefined) {
      on = { white: new Set(), black: new Set(), watchers: new Set() };
      this.games.set(game.id, on);
    }
    on[role].add(socket);
    if (role === "watchers") this.write(game.id, "watchers", String(on.watchers.size));
    else if (on[role].size === 1) this.write(game.id, role, "c");
  }

  /** Whether the socket holds the game as one of its players. */
  plays(socket: IoSocket, gameId: string): boolean {
    const role = this.bySocket.get(socket)?.get(gameId);
    return role === "white" || role === "black";
  }

  /** The socket no longer holds the game; `ended`: because the game is over (nothing to write). */
  leave(socket: IoSocket, gameId: string, ended: boolean): void {
    const roles = this.bySocket.get(socket);
    const role = roles?.get(gameId);
    if (role === undefined) return;
    roles!.delete(gameId);
    markWatchOnly(socket, roles!);
    const on = this.games.get(gameId);
    if (on === undefined || !on[role].delete(socket)) return;
    if (ended) {
      this.games.delete(gameId);
      clearTimeout(this.retries.get(gameId));
      this.retries.delete(gameId);
      return;
    }
    if (role === "watchers") this.write(gameId, "watchers", String(on.watchers.size));
    else if (on[role].size === 0) this.write(gameId, role, "d");
    if (on.white.size + on.black.size + on.watchers.size === 0) this.games.delete(gameId);
  }

  /** The game's last announced crowd to one socket (a watcher, right after its RESUME_GAME). */
  async sendCrowd(socket: IoSocket, gameId: string): Promise<void> {
    const sig = await this.deps.redis.hGet(this.deps.keys.gamePresence(gameId), "crowd");
    if (sig === null || sig === undefined) return;
    const payload = {
      gameId,
      white: sig[0] === "w",
      black: sig[1] === "b",
      watchers: Number(sig.slice(2)) || 0,
    };
    socket.emit("action", { type: "client/CROWD", payload });
  }

  stop(): void {
    clearInterval(this.timer);
    for (const retry of this.retries.values()) clearTimeout(retry);
    this.retries.clear();
  }

  /** Every heartbeat: this instance's parts, written again with Redis TIME. */
  private refresh(): void {
    for (const [gameId, on] of this.games) {
      if (on.white.size > 0) this.write(gameId, "white", "c");
      if (on.black.size > 0) this.write(gameId, "black", "c");
      if (on.watchers.size > 0) this.write(gameId, "watchers", String(on.watchers.size));
    }
  }

  private write(gameId: string, role: Role | "", state: string): void {
    const { redis, keys, log } = this.deps;
    const field = role === "" ? "" : `${role}:${this.instance}`;
    script
      .run(
        redis,
        [keys.gamePresence(gameId)],
        [field, state, this.staleMs, TTL_MS, gameId, keys.gameEvents(gameId)],
      )
      .then((wait) => {
        if (typeof wait !== "number" || wait <= 0 || this.retries.has(gameId)) return;
        const retry = setTimeout(() => {
          this.retries.delete(gameId);
          this.write(gameId, "", "");
        }, wait);
        retry.unref();
        this.retries.set(gameId, retry);
      })
      .catch((err: unknown) => log.warn({ err, gameId }, "presence not written"));
  }
}
