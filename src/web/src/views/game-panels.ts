// The parts of the game screen beside the board: player bars, the SAN move list, draw and resign
// controls, and the game-over panel. Each is rebuilt from the game object alone.
import type { Color, Game, GamePlayer } from "../../../protocol/types.js";
import type { GameExtras } from "../app.js";
import { h, type Child } from "../dom.js";
import { opposite, outcomeHeadline, type GameOver } from "../game-model.js";
import { reasonText } from "../messages.js";

export function playerBar(
  player: GamePlayer,
  color: Color,
  position: "top" | "bottom",
): HTMLElement {
  return h(
    "div",
    { class: `player ${position}`, "data-color": color },
    h("span", { class: `dot ${color}`, "aria-hidden": "true" }),
    h("span", { class: "name" }, player.username),
    h("span", { class: "rating" }, String(player.rating)),
    h(
      "span",
      { class: "clock", role: "timer", "aria-label": `${color} clock`, "data-color": color },
      "–",
    ),
  );
}

export function moveList(
  san: readonly string[],
  onPick?: (ply: number) => void,
  current?: number,
): HTMLElement {
  const rows: HTMLElement[] = [];
  for (let i = 0; i < san.length; i += 2) {
    const cell = (ply: number) => {
      const text = san[ply - 1];
      if (text === undefined) return null;
      const attrs = { class: ply === current ? "san current" : "san", "data-ply": ply };
      if (!onPick) return h("span", attrs, text);
      return h(
        "button",
        { ...attrs, type: "button", onclick: () => onPick(ply), "aria-label": `Go to ${text}` },
        text,
      );
    };
    rows.push(h("li", {}, h("span", { class: "num" }, `${i / 2 + 1}.`), cell(i + 1), cell(i + 2)));
  }
  return h("ol", { class: "moves", "aria-label": "Moves" }, rows);
}

export function statusLine(game: Game, me: Color | null): string {
  if (game.status === "ended") return outcomeHeadline(game, me);
  const turn = game.turn === "white" ? "White" : "Black";
  if (!game.clock.running && game.ply < 2) return `${turn} to play the first move`;
  if (me === null) return `${turn} to move`;
  return game.turn === me ? "Your turn" : "Waiting for your opponent";
}

export interface ControlActions {
  offerDraw: () => void;
  declineDraw: () => void;
  resign: () => void;
}

/** Draw offer/accept/decline and resign-with-confirmation. `confirming` shows the second step. */
export function controls(
  game: Game,
  me: Color,
  confirming: boolean,
  act: ControlActions & { confirm: (on: boolean) => void },
): HTMLElement {
  const opp = opposite(me);
  const abort = game.ply < 2;
  const parts: Child[] = [];
  if (game.drawOffer === opp) {
    parts.push(
      h(
        "div",
        { class: "draw-offer", role: "status" },
        h("span", {}, "Your opponent offers a draw."),
        h(
          "button",
          { type: "button", onclick: act.offerDraw, "aria-label": "Accept the draw" },
          "Accept draw",
        ),
        h(
          "button",
          { type: "button", onclick: act.declineDraw, "aria-label": "Decline the draw" },
          "Decline",
        ),
      ),
    );
  } else if (!abort) {
    const offered = game.drawOffer === me;
    parts.push(
      h(
        "button",
        {
          type: "button",
          class: "offer-draw",
          onclick: act.offerDraw,
          disabled: offered,
          "aria-label": "Offer a draw",
        },
        offered ? "Draw offered" : "Offer draw",
      ),
    );
  }
  const label = abort ? "Abort game" : "Resign";
  if (confirming) {
    parts.push(
      h(
        "span",
        { class: "confirm", role: "group", "aria-label": `Confirm: ${label}` },
        h("span", {}, abort ? "Abort this game?" : "Really resign?"),
        h(
          "button",
          { type: "button", class: "danger", onclick: act.resign },
          abort ? "Yes, abort" : "Yes, resign",
        ),
        h("button", { type: "button", onclick: () => act.confirm(false) }, "No"),
      ),
    );
  } else {
    parts.push(
      h("button", { type: "button", class: "resign", onclick: () => act.confirm(true) }, label),
    );
  }
  return h("div", { class: "controls" }, parts);
}

export interface ExtraActions {
  giveTime: () => void;
  proposeTakeback: () => void;
  declineTakeback: () => void;
  claim: () => void;
}

/** The server's default wait before a claim (its GONE_MS may set another). */
const GONE_MS = 30_000;

/** "Claim in 12 s", or "" once the wait is over (the server still has the last word). */
export function claimCountdown(me: Color, extras: GameExtras, now: number): string {
  const since = extras.goneSince[opposite(me)];
  if (since === null) return "";
  const left = since + GONE_MS - now;
  return left > 0 ? `You may claim the game in about ${Math.ceil(left / 1000)} s.` : "";
}

/** Extra time, takeback (propose, or answer the opponent's), and the claim when it is gone. */
export function extrasPanel(
  game: Game,
  me: Color,
  extras: GameExtras,
  act: ExtraActions,
): HTMLElement {
  const opp = opposite(me);
  const parts: Child[] = [
    h(
      "button",
      {
        type: "button",
        class: "give-time",
        onclick: act.giveTime,
        "aria-label": "Give your opponent 15 seconds",
      },
      "+15 s",
    ),
  ];
  if (extras.takebackOffer === opp) {
    parts.push(
      h(
        "div",
        { class: "takeback-offer", role: "status" },
        h("span", {}, "Your opponent asks to take back a move."),
        h(
          "button",
          { type: "button", class: "accept-takeback", onclick: act.proposeTakeback },
          "Accept takeback",
        ),
        h(
          "button",
          { type: "button", class: "decline-takeback", onclick: act.declineTakeback },
          "Decline",
        ),
      ),
    );
  } else {
    const mine = extras.takebackOffer === me;
    const moved = game.ply >= (me === "white" ? 1 : 2);
    parts.push(
      h(
        "button",
        {
          type: "button",
          class: "takeback",
          onclick: act.proposeTakeback,
          disabled: mine || !moved,
          "aria-label": "Ask to take back your last move",
        },
        mine ? "Takeback proposed" : "Takeback",
      ),
    );
  }
  if (extras.goneSince[opp] !== null && game.ply >= 2) {
    parts.push(
      h(
        "div",
        { class: "opponent-gone", role: "status" },
        h("span", {}, "Your opponent left the game. "),
        h("span", { class: "claim-countdown" }),
        h("button", { type: "button", class: "claim", onclick: act.claim }, "Claim victory"),
      ),
    );
  }
  return h("div", { class: "controls extras" }, parts);
}

export interface OverActions {
  again: () => void;
  lobby: () => void;
}

export function overPanel(
  game: Game,
  over: GameOver | null,
  me: Color | null,
  act: OverActions,
  pgnUrl: string,
  rematch: Child = null,
): HTMLElement {
  const reason = reasonText(game.reason);
  const headline = outcomeHeadline(game, me);
  const diff = over?.ratingDiff ?? null;
  const rating = (color: Color) => {
    const d = diff?.[color] ?? 0;
    const player = game[color];
    return h(
      "li",
      { "data-color": color },
      `${player.username}: ${player.rating} → ${player.rating + d} `,
      h("span", { class: `rating-diff ${d >= 0 ? "up" : "down"}` }, d >= 0 ? `+${d}` : String(d)),
    );
  };
  return h(
    "div",
    { class: "over", role: "status", "aria-live": "polite", "data-result": game.result ?? "none" },
    h("p", { class: "result" }, game.result ?? "–"),
    h("p", { class: "reason" }, `${headline}${reason ? ` ${reason}` : ""}`),
    diff
      ? h("ul", { class: "ratings" }, rating("white"), rating("black"))
      : h("p", { class: "unrated" }, game.rated ? "Rating change pending" : "Unrated game"),
    rematch,
    h(
      "div",
      { class: "row" },
      me
        ? h(
            "button",
            { type: "button", class: "primary again", onclick: act.again },
            `New ${game.timeControl.label} game`,
          )
        : null,
      h("button", { type: "button", class: "to-lobby", onclick: act.lobby }, "Back to lobby"),
      h("a", { href: pgnUrl, download: `${game.id}.pgn`, class: "button" }, "Download PGN"),
    ),
  );
}
