// Delivers each game's events to the sockets that hold the game, exactly once and in order of `v`
// (PROTOCOL.md, "Game events and their versions"), whatever instance committed them.
//
// A socket holds a game from its START_GAME or RESUME_GAME on: it has a feed, which knows the last
// `v` the socket has. This instance listens to a game's channel while one of its sockets holds a
// feed of it. Pub/sub reaches only listeners that already exist, so each feed first subscribes,
// then reads what the game's log holds past its `v` (the steps that commit events also log them),
// then takes the live stream; an event that arrives meanwhile waits in the feed, and one that the
// socket already has is dropped, so there is no gap and no duplicate at the seam. A gap seen later
// (a resubscription after a reconnect) is filled the same way, and a socket further behind than
// the log gets the whole game.
import type { Logger } from "../log.js";
import type { Game, GameEvent, ServerAction } from "../protocol/types.js";
import { loadGameLog } from "../store/game-commands.js";
import { loadGame } from "../store/game-store.js";
import type { Keys } from "../store/keys.js";
import type { Redis } from "../store/redis.js";
import type { GameCache } from "./game-cache.js";
import type { IoSocket } from "./io.js";
import type { Presence } from "./presence.js";

/** Games one socket may hold at once: a player has one, a watcher a few. The oldest goes first. */
export const MAX_FEEDS_PER_SOCKET = 8;

interface Feed {
  readonly socket: IoSocket;
  readonly gameId: string;
  /** The last `v` the socket has; null until it has the game. */
  v: number | null;
  /** Live events that arrived while the feed was catching up, or before the socket had the game. */
  pending: GameEvent[];
  /** Catch-ups (log read, game load) queued or running: while any is, events wait in `pending`. */
  tasks: number;
  chain: Promise<void>;
  open: boolean;
}

interface Channel {
  feeds: Set<Feed>;
  subscribed: Promise<void>;
}

export interface GameFeedsDeps {
  redis: Redis;
  subscriber: Redis;
  keys: Keys;
  cache: GameCache;
  log: Logger;
  /** Told which sockets hold which live games (who is on a game, across instances). */
  presence?: Presence;
}

export class GameFeeds {
  private readonly channels = new Map<string, Channel>();
  private readonly bySocket = new WeakMap<IoSocket, Map<string, Feed>>();

  constructor(private readonly deps: GameFeedsDeps) {}

  /** A new game for this socket (its user's START_GAME): the socket has it at v 0. */
  async start(socket: IoSocket, game: Game): Promise<void> {
    if (this.feedOf(socket, game.id) !== undefined) return; // it has the game already
    const feed = this.open(socket, game.id);
    await this.run(feed, async () => {
      this.emit(feed, { type: "client/START_GAME", payload: { game } });
      feed.v = game.v;
      this.deps.presence?.join(socket, game);
      await this.replay(feed, true);
    });
  }

  /** The whole game (RESUME_GAME) to this socket, then every later event; false: no such game. */
  async resume(socket: IoSocket, gameId: string): Promise<boolean> {
    const feed = this.feedOf(socket, gameId) ?? this.open(socket, gameId);
    let found = true;
    await this.run(feed, async () => {
      found = await this.sendGame(feed);
    });
    return found;
  }

  /** The events after `v` to this socket (PLAYER_READY with `v`); false: no such game. */
  async catchUp(socket: IoSocket, gameId: string, v: number): Promise<boolean> {
    const feed = this.feedOf(socket, gameId) ?? this.open(socket, gameId);
    let found = true;
    await this.run(feed, async () => {
      feed.v = v;
      found = await this.replay(feed, false);
    });
    return found;
  }

  /** The socket no longer holds the game (a watcher leaves). */
  close(socket: IoSocket, gameId: string): void {
    const feed = this.feedOf(socket, gameId);
    if (feed !== undefined) this.end(feed);
  }

  /** Every feed of a socket that goes away. */
  closeAll(socket: IoSocket): void {
    for (const feed of this.bySocket.get(socket)?.values() ?? []) this.end(feed);
  }

  /** The socket holds the game already (it has had its START_GAME or RESUME_GAME). */
  holds(socket: IoSocket, gameId: string): boolean {
    return this.feedOf(socket, gameId) !== undefined;
  }

  /** How many game channels this instance listens to (for tests and metrics). */
  get listening(): number {
    return this.channels.size;
  }

  /** After the subscriber reconnected: what was published meanwhile is read from the logs. */
  resync(): void {
    for (const channel of this.channels.values()) {
      for (const feed of channel.feeds) {
        if (feed.v !== null) this.repair(feed);
      }
    }
  }

  private feedOf(socket: IoSocket, gameId: string): Feed | undefined {
    return this.bySocket.get(socket)?.get(gameId);
  }

  private open(socket: IoSocket, gameId: string): Feed {
    let feeds = this.bySocket.get(socket);
    if (feeds === undefined) this.bySocket.set(socket, (feeds = new Map<string, Feed>()));
    if (feeds.size >= MAX_FEEDS_PER_SOCKET) {
      // The oldest watched game goes; a game the socket plays in stays (its player is still here).
      let oldest: Feed | undefined;
      for (const f of feeds.values()) {
        if (this.deps.presence?.plays(socket, f.gameId) !== true) {
          oldest = f;
          break;
        }
      }
      if (oldest !== undefined) this.end(oldest);
    }
    const feed: Feed = {
      socket,
      gameId,
      v: null,
      pending: [],
      tasks: 0,
      chain: Promise.resolve(),
      open: socket.connected,
    };
    // A socket that went away meanwhile (its request was still running) holds nothing.
    if (!feed.open) return feed;
    feeds.set(gameId, feed);
    let channel = this.channels.get(gameId);
    if (channel === undefined) {
      const name = this.deps.keys.gameEvents(gameId);
      const created: Channel = { feeds: new Set(), subscribed: Promise.resolve() };
      created.subscribed = this.deps.subscriber
        .sSubscribe(name, this.forward)
        .catch((err: unknown) => {
          // Not listened to (its Redis is failing over, say), these sockets would hear nothing
          // more of the game: they reconnect, and get it again on that connection.
          this.deps.log.warn({ err, gameId }, "game channel not subscribed; its sockets reconnect");
          if (this.channels.get(gameId) === created) this.channels.delete(gameId);
          this.deps.subscriber.sUnsubscribe(name, this.forward).catch(() => {});
          for (const f of [...created.feeds]) f.socket.disconnect(true);
          throw err;
        });
      created.subscribed.catch(() => {}); // its waiters see the error; nothing else need
      channel = created;
      this.channels.set(gameId, channel);
    }
    channel.feeds.add(feed);
    return feed;
  }

  /** The socket no longer holds the game; `over`: because the game ended. */
  private end(feed: Feed, over = false): void {
    if (!feed.open) return;
    feed.open = false;
    feed.pending = [];
    this.deps.presence?.leave(feed.socket, feed.gameId, over);
    this.bySocket.get(feed.socket)?.delete(feed.gameId);
    const channel = this.channels.get(feed.gameId);
    if (channel === undefined || !channel.feeds.delete(feed) || channel.feeds.size > 0) return;
    this.channels.delete(feed.gameId);
    this.deps.subscriber
      .sUnsubscribe(this.deps.keys.gameEvents(feed.gameId), this.forward)
      .catch((err: unknown) =>
        this.deps.log.warn({ err, gameId: feed.gameId }, "game channel not unsubscribed"),
      );
  }

  /**
   * Queues one catch-up of a feed, run once its channel is subscribed; live events are held back
   * until no catch-up is left, then let through in order. Rejects with the task's error.
   */
  private run(feed: Feed, task: () => Promise<void>): Promise<void> {
    feed.tasks += 1;
    const done = feed.chain.then(async () => {
      try {
        await this.channels.get(feed.gameId)?.subscribed;
        if (feed.open) await task();
      } finally {
        feed.tasks -= 1;
        if (feed.tasks === 0) for (const event of feed.pending.splice(0)) this.deliver(feed, event);
      }
    });
    feed.chain = done.catch(() => undefined);
    return done;
  }

  /** A catch-up that no request waits for (a gap, a resubscription): a failure is only logged. */
  private repair(feed: Feed): void {
    this.run(feed, () => this.replay(feed, true).then(() => undefined)).catch((err: unknown) =>
      this.deps.log.warn({ err, gameId: feed.gameId }, "game catch-up failed"),
    );
  }

  /**
   * Sends the events of the log past the feed's `v`, or the whole game when the log does not reach
   * back that far. An empty log is a game with no event yet when `exists` is known, else it is
   * checked. False: no such game.
   */
  private async replay(feed: Feed, exists: boolean): Promise<boolean> {
    const log = await loadGameLog(this.deps, feed.gameId);
    const from = feed.v ?? 0;
    if (log.length === 0) return exists ? true : this.sendGame(feed, from);
    const events = log.map((json) => JSON.parse(json) as GameEvent);
    if (events[0]!.payload.v > from + 1) return this.sendGame(feed, from);
    for (const event of events) if (event.payload.v > from) this.emit(feed, event);
    // Up to date with a game that has ended: nothing more will come.
    if (events[events.length - 1]!.type === "client/GAME_OVER") this.end(feed, true);
    return true;
  }

  /** RESUME_GAME, unless the socket is known to be up to date already (`upTo`). */
  private async sendGame(feed: Feed, upTo?: number): Promise<boolean> {
    const game = await loadGame(this.deps, feed.gameId);
    if (game === null) {
      this.end(feed);
      return false;
    }
    if (upTo !== undefined && game.v <= upTo) return true;
    this.emit(feed, { type: "client/RESUME_GAME", payload: { game } });
    feed.v = game.v;
    if (game.status === "ended") this.end(feed, true);
    // A feed closed while the game loaded (its socket gone, or an UNWATCH) has left already.
    else if (feed.open) this.deps.presence?.join(feed.socket, game);
    return true;
  }

  private deliver(feed: Feed, event: GameEvent): void {
    if (!feed.open) return;
    if (feed.tasks > 0 || feed.v === null) {
      feed.pending.push(event);
      return;
    }
    const v = event.payload.v;
    if (v <= feed.v) return;
    if (v === feed.v + 1) return this.emit(feed, event);
    // A gap: the events in between were published while this instance did not listen.
    feed.pending.push(event);
    this.repair(feed);
  }

  private emit(feed: Feed, event: GameEvent | StartOrResume): void {
    feed.socket.emit("action", event);
    if (isGameEvent(event)) {
      feed.v = event.payload.v;
      if (event.type === "client/GAME_OVER") this.end(feed, true);
    }
  }

  private readonly forward = (message: string): void => {
    let event: GameEvent | Extract<ServerAction, { type: "client/CROWD" }>;
    try {
      event = JSON.parse(message) as typeof event;
    } catch (err) {
      this.deps.log.error({ err }, "malformed game event");
      return;
    }
    if (event.type === "client/CROWD") return this.announce(event);
    this.deps.cache.observe(event);
    const channel = this.channels.get(event.payload.gameId);
    if (channel === undefined) return;
    for (const feed of channel.feeds) this.deliver(feed, event);
  };

  /** Who is on the game (no `v`: not a game event): to every socket that has the game. */
  private announce(crowd: Extract<ServerAction, { type: "client/CROWD" }>): void {
    for (const feed of this.channels.get(crowd.payload.gameId)?.feeds ?? []) {
      if (feed.open && feed.v !== null) feed.socket.emit("action", crowd);
    }
  }
}

type StartOrResume =
  | { type: "client/START_GAME"; payload: { game: Game } }
  | { type: "client/RESUME_GAME"; payload: { game: Game } };

function isGameEvent(event: GameEvent | StartOrResume): event is GameEvent {
  return event.type !== "client/START_GAME" && event.type !== "client/RESUME_GAME";
}
