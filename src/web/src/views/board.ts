// The live board: chessground with legal destinations from chessops, premoves, drag and click
// moves, and a promotion picker. It reports moves in wire UCI; the server's answer moves it on.
import { Chessground } from "@lichess-org/chessground";
import type { Api } from "@lichess-org/chessground/api";
import type { Key } from "@lichess-org/chessground/types";
import type { Role } from "chessops/types";
import type { Color } from "../../../protocol/types.js";
import { h } from "../dom.js";
import { destsOf, isPromotion, positionOf, wireUci, type Position } from "../rules.js";

export interface BoardShow {
  fen: string;
  lastMove: string | null;
  /** The side this player may move (null: watching, or the game is over). */
  movable: Color | null;
}

const PROMOTION_ROLES: readonly Role[] = ["queen", "knight", "rook", "bishop"];

export class LiveBoard {
  readonly el: HTMLElement;
  private readonly ground: Api;
  private pos: Position | null = null;
  private picker: HTMLElement | null = null;
  private shown: BoardShow | null = null;

  constructor(
    orientation: Color,
    private readonly onMove: (uci: string) => void,
  ) {
    const host = h("div", { class: "cg-host" });
    this.el = h("div", { class: "board", role: "img", "aria-label": "Chess board" }, host);
    this.ground = Chessground(host, {
      orientation,
      coordinates: true,
      animation: { enabled: true, duration: 150 },
      highlight: { lastMove: true, check: true },
      movable: {
        free: false,
        showDests: true,
        events: { after: (o, d, m) => this.afterMove(o, d, m.premove) },
      },
      premovable: { enabled: true, showDests: true, castle: true },
      draggable: { enabled: true, showGhost: true },
      drawable: { enabled: true },
    });
  }

  show(state: BoardShow): void {
    this.closePicker();
    this.shown = state;
    this.pos = positionOf(state.fen);
    const turn: Color = state.fen.split(" ")[1] === "b" ? "black" : "white";
    const myTurn = state.movable !== null && state.movable === turn;
    const lastMove = state.lastMove
      ? ([state.lastMove.slice(0, 2), state.lastMove.slice(2, 4)] as Key[])
      : [];
    this.ground.set({
      fen: state.fen,
      turnColor: turn,
      lastMove,
      check: this.pos?.isCheck() ? turn : false,
      movable: {
        color: state.movable ?? undefined,
        dests: myTurn && this.pos ? destsOf(this.pos) : new Map(),
      },
      premovable: { enabled: state.movable !== null },
    });
    if (state.movable === null) this.ground.cancelPremove();
    // A premove set during the opponent's turn is played as soon as it becomes ours.
    if (myTurn) this.ground.playPremove();
  }

  /** The pieces as drawn, for tests and for a screen reader's summary. */
  fen(): string {
    return this.ground.getFen();
  }

  destroy(): void {
    this.ground.destroy();
  }

  private afterMove(orig: Key, dest: Key, premove: boolean): void {
    const pos = this.pos;
    if (pos === null) return;
    if (isPromotion(pos, orig, dest)) {
      // A premoved promotion has no time for a question: it becomes a queen, as on lichess.
      if (premove) return this.emit(pos, orig, dest, "queen");
      return this.openPicker(pos, orig, dest);
    }
    this.emit(pos, orig, dest);
  }

  private emit(pos: Position, orig: Key, dest: Key, promotion?: Role): void {
    const uci = wireUci(pos, orig, dest, promotion);
    if (uci !== null) this.onMove(uci);
  }

  private openPicker(pos: Position, orig: Key, dest: Key): void {
    const color = pos.turn;
    const choose = (role: Role) => {
      this.closePicker();
      this.emit(pos, orig, dest, role);
    };
    const buttons = PROMOTION_ROLES.map((role) =>
      h(
        "button",
        {
          type: "button",
          class: "promo-choice",
          "aria-label": `Promote to ${role}`,
          onclick: () => choose(role),
        },
        pieceEl(role, color),
      ),
    );
    this.picker = h(
      "div",
      {
        class: "promo cg-wrap",
        role: "dialog",
        "aria-label": "Choose a promotion piece",
        onkeydown: (e: Event) => {
          if ((e as KeyboardEvent).key === "Escape") this.cancelPicker();
        },
      },
      buttons,
      h(
        "button",
        { type: "button", class: "promo-cancel", onclick: () => this.cancelPicker() },
        "Cancel",
      ),
    );
    this.el.appendChild(this.picker);
    buttons[0]?.focus();
  }

  private cancelPicker(): void {
    // Put the pawn back: the move was never sent.
    if (this.shown) this.show(this.shown);
  }

  private closePicker(): void {
    this.picker?.remove();
    this.picker = null;
  }
}

function pieceEl(role: Role, color: Color): HTMLElement {
  const el = document.createElement("piece");
  el.className = `${role} ${color}`;
  return el;
}
