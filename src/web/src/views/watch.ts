// A watcher's view of a live game (#/watch/<id>): game/WATCH, then the game view with no colour
// of its own (the board faces white and does not move), the clocks, the moves, who is on the
// game (client/CROWD) and the result. Its events are followed by `v` as a player's are. The
// server does not watch again after a reconnect: every client/RESUME_SESSION (the first message
// of each connection) sends game/WATCH again, which answers with the whole game.
import type { Game, GameEvent, ServerAction } from "../../../protocol/types.js";
import { GAME_EVENT_TYPES } from "../../../protocol/types.js";
import type { GameExtras } from "../app.js";
import { fill, h } from "../dom.js";
import { EventOrder, type Send } from "../event-order.js";
import type { Crowd, GameOver } from "../game-model.js";
import { humanError } from "../messages.js";
import { GameView } from "./game.js";

export interface WatchDeps {
  send: Send;
  serverNow: () => number;
  /** A server stamp, for the clock offset. */
  observeClock: (serverTime: number, receivedAt: number, fresh: boolean) => void;
  notify: (message: string) => void;
  /** The socket is up and its session resumed. */
  connected: () => boolean;
  lobby: () => void;
}

/** A watcher proposes nothing and claims nothing. */
const NO_EXTRAS: GameExtras = { takebackOffer: null, goneSince: { white: null, black: null } };

const isGameEvent = (action: ServerAction): action is GameEvent =>
  (GAME_EVENT_TYPES as readonly string[]).includes(action.type);

export class WatchScreen {
  readonly el: HTMLElement;
  private game: Game | null = null;
  private over: GameOver | null = null;
  private crowd: Crowd | null = null;
  private view: GameView | null = null;
  private readonly order: EventOrder;

  constructor(
    readonly gameId: string,
    private readonly deps: WatchDeps,
  ) {
    this.order = new EventOrder(deps.send);
    this.el = h(
      "div",
      { class: "watch-screen" },
      h("p", { class: "connecting", role: "status" }, "Loading the game…"),
    );
    if (deps.connected()) void this.watch();
  }

  /** Takes the server actions of the watched game; a new connection watches it again. */
  readonly take = (action: ServerAction, receivedAt: number): boolean => {
    if (action.type === "client/RESUME_SESSION") {
      void this.watch();
      return false;
    }
    if (action.type === "client/RESUME_GAME") {
      if (action.payload.game.id !== this.gameId) return false;
      this.load(action.payload.game, receivedAt);
      return true;
    }
    if (action.type === "client/CROWD") {
      if (action.payload.gameId !== this.gameId) return false;
      this.crowd = action.payload;
      if (this.game) this.view?.set(this.game, this.over);
      return true;
    }
    if (!isGameEvent(action) || action.payload.gameId !== this.gameId) return false;
    if (action.type === "client/UPDATE_GAME")
      this.deps.observeClock(action.payload.clock.serverTime, receivedAt, true);
    if (this.order.hold(this.game, action)) this.catchUp();
    return true;
  };

  destroy(): void {
    void this.deps.send("game/UNWATCH", { gameId: this.gameId });
    this.view?.destroy();
  }

  private async watch(): Promise<void> {
    const answer = await this.deps.send("game/WATCH", { gameId: this.gameId });
    if (answer.ok || this.game !== null) return;
    const code = answer.error.code;
    fill(
      this.el,
      h(
        "p",
        { class: "error", role: "alert" },
        code === "NOT_FOUND" ? "This game is not being played any more." : humanError(code),
      ),
      h("p", {}, h("a", { href: `#/game/${encodeURIComponent(this.gameId)}` }, "Replay it")),
      h("p", {}, h("a", { href: "#/watch" }, "Other live games")),
    );
  }

  private load(game: Game, receivedAt: number): void {
    this.deps.observeClock(game.clock.serverTime, receivedAt, false);
    this.order.loaded(this.game !== null);
    this.game = game;
    if (this.view === null) {
      this.view = this.newView(game);
      fill(
        this.el,
        h(
          "p",
          { class: "watching" },
          `Watching ${game.white.username} – ${game.black.username} · `,
          h("a", { href: "#/watch" }, "all live games"),
        ),
        this.view.el,
      );
    } else this.view.set(game, this.over, true);
    this.catchUp();
  }

  private catchUp(): void {
    if (this.game === null) return;
    const before = this.game;
    const { game, applied } = this.order.catchUp(before);
    this.game = game;
    for (const event of applied) if (event.type === "client/GAME_OVER") this.over = event.payload;
    if (applied.length > 0) this.view?.set(game, this.over, before.status !== game.status);
  }

  private newView(game: Game): GameView {
    return new GameView(game, {
      userId: null,
      serverNow: this.deps.serverNow,
      send: this.deps.send,
      notify: this.deps.notify,
      resync: (gameId) => void this.deps.send("game/PLAYER_READY", { gameId }),
      again: () => {},
      lobby: this.deps.lobby,
      lagMs: () => null,
      extras: () => NO_EXTRAS,
      crowd: () => this.crowd,
    });
  }
}
