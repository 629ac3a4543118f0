// Each live game has its own sharded pub/sub channel (keys.gameEvents), where its events are
// published in commit order: UPDATE_GAME by the move script itself, the others after their commit.
// An instance listens to a game's channel while one of its sockets is in the game's room, forwards
// each event to those sockets, and advances its copy of the game (GameCache) on the way.
import type { Server } from "socket.io";
import type { Logger } from "../log.js";
import type { GameEvent } from "../store/game-events.js";
import { rooms, type Keys } from "../store/keys.js";
import type { Redis } from "../store/redis.js";
import type { GameCache } from "./game-cache.js";

const GAME_ROOM = rooms.game("");

export class GameChannels {
  private readonly listening = new Map<string, Promise<void>>();

  constructor(
    private readonly io: Server,
    private readonly subscriber: Redis,
    private readonly keys: Keys,
    private readonly cache: GameCache,
    private readonly log: Logger,
  ) {}

  /** Follows the game rooms of this instance: Socket.IO's adapter says when one appears or empties. */
  start(): void {
    const adapter = this.io.of("/").adapter;
    adapter.on("create-room", (room: string) => {
      if (room.startsWith(GAME_ROOM)) this.listen(room.slice(GAME_ROOM.length));
    });
    adapter.on("delete-room", (room: string) => {
      if (room.startsWith(GAME_ROOM)) this.forget(room.slice(GAME_ROOM.length));
    });
  }

  /**
   * Resolves once this instance listens to the game's channel, so that a state loaded afterwards
   * misses no event: a socket that has just joined the game's room waits for it before RESUME_GAME.
   */
  ready(gameId: string): Promise<void> {
    return this.listening.get(gameId) ?? Promise.resolve();
  }

  private listen(gameId: string): void {
    const subscribed = this.subscriber
      .sSubscribe(this.keys.gameEvents(gameId), this.forward)
      .catch((err: unknown) => this.log.warn({ err, gameId }, "game channel not subscribed"));
    this.listening.set(gameId, subscribed);
  }

  private forget(gameId: string): void {
    this.listening.delete(gameId);
    this.subscriber
      .sUnsubscribe(this.keys.gameEvents(gameId), this.forward)
      .catch((err: unknown) => this.log.warn({ err, gameId }, "game channel not unsubscribed"));
  }

  private readonly forward = (message: string): void => {
    let event: GameEvent;
    try {
      event = JSON.parse(message) as GameEvent;
    } catch (err) {
      this.log.error({ err }, "malformed game event");
      return;
    }
    this.cache.observe(event);
    this.io.local.to(rooms.game(event.payload.gameId)).emit("action", event);
  };
}
