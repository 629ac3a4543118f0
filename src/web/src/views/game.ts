// The game screen: board oriented to the player's colour, clocks that tick between server
// updates, the move list, draw and resign controls, and the game-over panel.
import type { Color, Game } from "../../../protocol/types.js";
import { api } from "../api.js";
import type { GameExtras } from "../app.js";
import { formatClock, remainingMs } from "../clock.js";
import { $, fill, h } from "../dom.js";
import { colorOf, crowdText, opposite, type Crowd, type GameOver } from "../game-model.js";
import { humanError } from "../messages.js";
import type { RematchStatus } from "../rematch.js";
import { positionOf, typedMove } from "../rules.js";
import { LiveBoard } from "./board.js";
import {
  claimCountdown,
  controls,
  extrasPanel,
  moveList,
  overPanel,
  playerBar,
  statusLine,
} from "./game-panels.js";
import { rematchControls } from "./rematch-panel.js";

export interface GameDeps {
  /** The viewer's user id; null for a watcher, who has no colour (the board faces white). */
  userId: string | null;
  /** The server's time now, by the client's clock corrected for the offset. */
  serverNow: () => number;
  send: (
    type: string,
    payload: unknown,
  ) => Promise<{ ok: boolean; error?: { code: string; message?: string } }>;
  notify: (message: string) => void;
  /** The board is out of step with the server: ask for the full state. */
  resync: (gameId: string) => void;
  again: (pool: string, rated: boolean) => void;
  lobby: () => void;
  /** This client's measured round trip, ms (sent with each move, and shown). */
  lagMs: () => number | null;
  /** The takeback proposal pending and who is gone, as the app last heard. */
  extras: () => GameExtras;
  /** Who is on the game, when known (shown to watchers). */
  crowd?: () => Crowd | null;
  /** The rematch offer of a finished game, and the ways to answer it (players only). */
  rematch?: {
    status: (gameId: string, me: Color) => RematchStatus;
    offer: (gameId: string, me: Color) => void;
    decline: (gameId: string) => void;
  };
}

export class GameView {
  readonly el: HTMLElement;
  private readonly board: LiveBoard;
  private readonly me: Color | null;
  private game: Game;
  private over: GameOver | null = null;
  private shownPly = -1;
  private shownStatus = "";
  private confirming = false;
  private readonly timer: number;

  constructor(
    game: Game,
    private readonly deps: GameDeps,
  ) {
    this.game = game;
    this.me = colorOf(game, deps.userId ?? undefined);
    const orientation = this.me ?? "white";
    this.board = new LiveBoard(orientation, (uci) => void this.play(uci));
    const top = opposite(orientation);
    this.el = h(
      "section",
      { class: "game", "aria-label": "Game" },
      h(
        "div",
        { class: "board-col" },
        playerBar(game[top], top, "top"),
        this.board.el,
        playerBar(game[orientation], orientation, "bottom"),
      ),
      h(
        "div",
        { class: "side" },
        h("p", { class: "status", "aria-live": "polite" }),
        h("p", { class: "sr-only move-announce", "aria-live": "polite" }),
        h("div", { class: "moves-box" }),
        this.typeMoveForm(),
        h("div", { class: "controls-box" }),
        h("div", { class: "extras-box" }),
        h("p", { class: "lag", "aria-live": "off" }),
        h("p", { class: "crowd", "aria-live": "off" }),
        h("div", { class: "over-box" }),
      ),
    );
    this.timer = window.setInterval(() => this.tick(), 100);
    this.set(game, null);
  }

  get gameId(): string {
    return this.game.id;
  }

  /** Shows the game as the server has it; the board moves only when the position changed. */
  set(game: Game, over: GameOver | null, forceBoard = false): void {
    this.game = game;
    if (over) this.over = over;
    const el = this.el;
    el.dataset.gameId = game.id;
    el.dataset.ply = String(game.ply);
    el.dataset.status = game.status;
    el.dataset.myColor = this.me ?? "";
    if (forceBoard || game.ply !== this.shownPly || game.status !== this.shownStatus) {
      // The board is a picture to a screen reader: say the last move in words.
      const san = game.san.at(-1);
      $(".move-announce", el).textContent = san
        ? `${game.ply % 2 === 1 ? "White" : "Black"} played ${san}`
        : "";
      this.shownPly = game.ply;
      this.shownStatus = game.status;
      const live = game.status === "started" && this.me !== null;
      this.board.show({
        fen: game.fen,
        lastMove: game.moves.at(-1) ?? null,
        movable: live ? this.me : null,
      });
    }
    this.render();
  }

  destroy(): void {
    window.clearInterval(this.timer);
    this.board.destroy();
  }

  private render(): void {
    const game = this.game;
    $(".status", this.el).textContent = statusLine(game, this.me);
    const box = $(".moves-box", this.el);
    fill(box, moveList(game.san));
    box.scrollTop = box.scrollHeight;
    const live = game.status === "started" && this.me !== null;
    ($(".type-move", this.el) as HTMLFormElement).hidden = !live;
    const act = {
      offerDraw: () => void this.action("game/OFFER_DRAW"),
      declineDraw: () => void this.action("game/DECLINE_DRAW"),
      resign: () => void this.action("game/CONCEDE"),
      confirm: (on: boolean) => {
        this.confirming = on;
        this.render();
        this.el.querySelector<HTMLElement>(on ? ".confirm .danger" : ".controls .resign")?.focus();
      },
    };
    fill(
      $(".controls-box", this.el),
      live && this.me ? controls(game, this.me, this.confirming, act) : null,
    );
    fill(
      $(".extras-box", this.el),
      live && this.me
        ? extrasPanel(game, this.me, this.deps.extras(), {
            giveTime: () => void this.action("game/GIVE_TIME"),
            proposeTakeback: () => void this.action("game/PROPOSE_TAKEBACK"),
            declineTakeback: () => void this.action("game/DECLINE_TAKEBACK"),
            claim: () => void this.action("game/CLAIM_VICTORY"),
          })
        : null,
    );
    const crowd = this.deps.crowd?.() ?? null;
    const crowdEl = $(".crowd", this.el);
    crowdEl.textContent = crowd ? crowdText(game, crowd) : "";
    crowdEl.dataset.watchers = crowd ? String(crowd.watchers) : "";
    const overBox = $(".over-box", this.el);
    const wasEmpty = overBox.childElementCount === 0;
    fill(
      overBox,
      game.status === "ended"
        ? overPanel(
            game,
            this.over,
            this.me,
            this.overActions(),
            api.pgnUrl(game.id),
            this.rematchPanel(),
          )
        : null,
    );
    if (wasEmpty && game.status === "ended") overBox.querySelector<HTMLElement>("button")?.focus();
    this.tick();
  }

  private overActions() {
    return {
      again: () => this.deps.again(this.game.timeControl.label, this.game.rated),
      lobby: () => this.deps.lobby(),
    };
  }

  private rematchPanel(): HTMLElement | null {
    const { me, game } = this;
    const rematch = this.deps.rematch;
    if (me === null || rematch === undefined) return null;
    return rematchControls(rematch.status(game.id, me), {
      offer: () => rematch.offer(game.id, me),
      decline: () => rematch.decline(game.id),
    });
  }

  private tick(): void {
    const now = this.deps.serverNow();
    const lag = this.deps.lagMs();
    const lagEl = $(".lag", this.el);
    const lagText = this.me && lag !== null ? `Lag ${lag} ms` : "";
    if (lagEl.textContent !== lagText) lagEl.textContent = lagText;
    const countdown = this.el.querySelector<HTMLElement>(".claim-countdown");
    if (countdown && this.me) {
      const text = claimCountdown(this.me, this.deps.extras(), Date.now());
      if (countdown.textContent !== text) countdown.textContent = text;
    }
    for (const color of ["white", "black"] as const) {
      const el = this.el.querySelector<HTMLElement>(`.clock[data-color="${color}"]`);
      if (!el) continue;
      const ms = remainingMs(this.game.clock, color, this.game.turn, now);
      const text = formatClock(ms);
      if (el.textContent !== text) el.textContent = text;
      const active = this.game.status === "started" && this.game.turn === color;
      el.classList.toggle("active", active);
      el.classList.toggle("low", ms < 10_000);
    }
  }

  private async play(uci: string): Promise<void> {
    const game = this.game;
    const lag = this.deps.lagMs();
    const answer = await this.deps.send("game/PLAYER_MOVE", {
      gameId: game.id,
      move: uci,
      ply: game.ply,
      ...(lag === null ? {} : { lag }),
    });
    if (answer.ok) return;
    const code = answer.error?.code;
    this.deps.notify(humanError(code));
    if (this.game.ply === game.ply) this.set(this.game, null, true);
    if (code === "STALE_PLY" || code === "FUTURE_PLY") this.deps.resync(game.id);
  }

  private async action(type: string): Promise<void> {
    this.confirming = false;
    const answer = await this.deps.send(type, { gameId: this.game.id });
    if (!answer.ok) {
      const error = answer.error;
      // A refused claim or a throttled press says when to try again: show the server's words.
      const own = error?.code === "OPPONENT_PRESENT" || error?.code === "RATE_LIMITED";
      this.deps.notify(own && error?.message ? error.message : humanError(error?.code));
    }
    this.render();
  }

  private typeMoveForm(): HTMLFormElement {
    const input = h("input", {
      type: "text",
      name: "move",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: "e4, Nf3, O-O, e7e8q",
      "aria-label": "Type a move",
    });
    return h(
      "form",
      {
        class: "type-move",
        onsubmit: (e: Event) => {
          e.preventDefault();
          const pos = positionOf(this.game.fen);
          const uci = pos && this.game.turn === this.me ? typedMove(pos, input.value) : null;
          if (uci === null)
            return this.deps.notify(
              this.game.turn === this.me ? "That move is not legal here." : "It is not your turn.",
            );
          input.value = "";
          void this.play(uci);
        },
      },
      h("label", {}, "Move ", input),
      h("button", { type: "submit" }, "Play"),
    );
  }
}
