// Each user's lobby events (PROPOSE_MATCHUP, MATCHUP_CANCELLED, START_GAME) are published to the
// user's own sharded channel by the script that commits them, so an instance that dies right after
// a commit cannot keep them from the players. An instance listens to a user's channel while it
// holds a socket of that user, and a connection subscribes before its RESUME_SESSION reads the
// state: what was committed before is in that state, what comes after arrives on the channel.
// A START_GAME gives each socket of the user the game's feed (game-feeds.ts) before anything else.
// What was published while the subscriber was reconnecting is lost to it, so after a reconnection
// each socket is resumed again, as on a connection: its state read anew, its live events held
// until that is sent.
import type { Logger } from "../log.js";
import type { Keys } from "../store/keys.js";
import type { LobbyEvent, LobbyMessage } from "../store/lobby-events.js";
import type { Redis } from "../store/redis.js";
import type { GameFeeds } from "./game-feeds.js";
import type { IoSocket } from "./io.js";

/** Tries of a resume after a resubscription (250 ms, 500 ms, … apart) before the socket is closed. */
const RESUME_ATTEMPTS = 6;

interface Listener {
  /** Each local socket of the user, with the events held for it until its resume is sent. */
  sockets: Map<IoSocket, LobbyEvent[] | null>;
  subscribed: Promise<void>;
  onMessage: (message: string) => void;
}

export interface UserChannelsDeps {
  subscriber: Redis;
  /** RESUME_SESSION to the socket (and RESUME_GAME while its user plays), read anew. */
  resume: (socket: IoSocket) => Promise<void>;
  keys: Keys;
  feeds: GameFeeds;
  log: Logger;
}

export class UserChannels {
  private readonly users = new Map<string, Listener>();
  /** Sockets whose first resume was under way during a resync: resumed again after it. */
  private readonly again = new WeakSet<IoSocket>();

  constructor(private readonly deps: UserChannelsDeps) {}

  /**
   * Resolves once the socket's user channel is listened to (at once when it already was). Until
   * `ready(socket)`, the socket's lobby events are held: RESUME_SESSION comes first (PROTOCOL).
   */
  add(socket: IoSocket): Promise<void> {
    const userId = socket.data.user.userId;
    let listener = this.users.get(userId);
    if (listener === undefined) {
      const onMessage = (message: string) => this.forward(userId, message);
      const created: Listener = { sockets: new Map(), subscribed: Promise.resolve(), onMessage };
      created.subscribed = this.deps.subscriber
        .sSubscribe(this.deps.keys.userEvents(userId), onMessage)
        .catch((err: unknown) => {
          // Not listened to (its Redis is failing over, say), the user would hear nothing more
          // here: its sockets reconnect, and subscribe again on that connection.
          this.deps.log.warn({ err, userId }, "user channel not subscribed; its sockets reconnect");
          if (this.users.get(userId) === created) this.users.delete(userId);
          this.deps.subscriber
            .sUnsubscribe(this.deps.keys.userEvents(userId), onMessage)
            .catch(() => {});
          for (const socket of created.sockets.keys()) socket.disconnect(true);
          throw err;
        });
      created.subscribed.catch(() => {}); // its waiters see the error; nothing else need
      listener = created;
      this.users.set(userId, listener);
    }
    listener.sockets.set(socket, []);
    return listener.subscribed;
  }

  /** The socket has had its resume: the events held for it follow, then the live ones. */
  ready(socket: IoSocket): void {
    const sockets = this.users.get(socket.data.user.userId)?.sockets;
    const held = sockets?.get(socket);
    if (sockets === undefined || held == null) return;
    sockets.set(socket, null);
    for (const event of held) this.send(socket, event);
    if (this.again.has(socket)) {
      this.again.delete(socket);
      this.resume(sockets, socket);
    }
  }

  /**
   * After the subscriber reconnected: lobby events published meanwhile never arrived, so every
   * socket gets its whole state again (a socket whose resume is under way, once it is done).
   */
  resync(): void {
    for (const { sockets } of this.users.values()) {
      for (const [socket, held] of sockets) {
        if (held === null) this.resume(sockets, socket);
        else this.again.add(socket);
      }
    }
  }

  /**
   * Resumes the socket again, its lobby events held meanwhile. The subscriber is often back before
   * the command client (its reads then refused at once): a failed resume is tried again a few
   * times, and only then is the socket closed, to reconnect.
   */
  private resume(sockets: Listener["sockets"], socket: IoSocket, attempt = 1): void {
    if (sockets.get(socket) === null) sockets.set(socket, []);
    this.deps
      .resume(socket)
      .then(() => this.ready(socket))
      .catch((err: unknown) => {
        if (!socket.connected || !sockets.has(socket)) return;
        if (attempt < RESUME_ATTEMPTS) {
          setTimeout(() => this.resume(sockets, socket, attempt + 1), 250 * attempt).unref();
          return;
        }
        this.deps.log.warn({ err }, "resume after a resubscription failed; the socket reconnects");
        socket.disconnect(true);
      });
  }

  remove(socket: IoSocket): void {
    const userId = socket.data.user.userId;
    const listener = this.users.get(userId);
    if (listener === undefined || !listener.sockets.delete(socket) || listener.sockets.size > 0)
      return;
    this.users.delete(userId);
    this.deps.subscriber
      .sUnsubscribe(this.deps.keys.userEvents(userId), listener.onMessage)
      .catch((err: unknown) =>
        this.deps.log.warn({ err, userId }, "user channel not unsubscribed"),
      );
  }

  /** How many user channels this instance listens to (for tests and metrics). */
  get listening(): number {
    return this.users.size;
  }

  private forward(userId: string, message: string): void {
    let parsed: LobbyMessage;
    try {
      parsed = JSON.parse(message) as LobbyMessage;
    } catch (err) {
      this.deps.log.error({ err, userId }, "malformed lobby event");
      return;
    }
    for (const [socket, held] of this.users.get(userId)?.sockets ?? []) {
      if (parsed.type === "session-ended") {
        if (socket.data.user.sessionId === parsed.sessionId) socket.disconnect(true);
      } else if (held !== null) held.push(parsed);
      else this.send(socket, parsed);
    }
  }

  private send(socket: IoSocket, event: LobbyEvent): void {
    if (event.type !== "client/START_GAME") return void socket.emit("action", event);
    const game = event.payload.game;
    this.deps.feeds.start(socket, game).catch((err: unknown) => {
      this.deps.log.warn({ err, gameId: game.id }, "game start not delivered; the socket resyncs");
      socket.disconnect(true);
    });
  }
}
