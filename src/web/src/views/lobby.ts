// The lobby: the eleven pools, each with a rated toggle (not for guests); while queued the waiting
// time and a cancel button; a proposal dialog with the opponent, a countdown, accept and decline.
import { POOLS, speedOf, type Pool } from "../../../protocol/pools.js";
import type { LiveState, Proposal, PublicUser, Speed } from "../../../protocol/types.js";
import { formatWait } from "../clock.js";
import { fill, h, keepFocus } from "../dom.js";

/** The speed of a pool label such as "3+2". */
export function poolSpeed(pool: Pool): Speed {
  const [minutes, seconds] = pool.split("+").map(Number);
  return speedOf((minutes ?? 0) * 60_000, (seconds ?? 0) * 1_000);
}

export interface LobbyState {
  user: PublicUser;
  live: LiveState;
  /** This client already accepted the pending proposal. */
  accepted: boolean;
  serverNow: () => number;
}

export interface LobbyActions {
  start: (pool: string, rated: boolean) => void;
  cancel: () => void;
  reply: (proposal: Proposal, accept: boolean) => void;
}

export class LobbyView {
  readonly el = h("section", { class: "lobby", "aria-label": "Lobby" });
  private state: LobbyState | null = null;
  private readonly rated = new Map<string, boolean>();
  private readonly timer = window.setInterval(() => this.tick(), 250);

  constructor(private readonly act: LobbyActions) {}

  update(state: LobbyState): void {
    this.state = state;
    keepFocus(this.el, () =>
      fill(this.el, this.pools(state), this.queuePanel(state), this.proposal(state)),
    );
    this.el.dataset.status = state.live.status;
    if (
      state.live.status === "proposed" &&
      !state.accepted &&
      !this.el.contains(document.activeElement)
    ) {
      this.el.querySelector<HTMLElement>(".proposal .accept")?.focus();
    }
    this.tick();
  }

  destroy(): void {
    window.clearInterval(this.timer);
  }

  private pools(state: LobbyState): HTMLElement {
    const guest = state.user.guest;
    const busy = state.live.status !== "idle";
    const cards = POOLS.map((pool) => {
      const rated = !guest && (this.rated.get(pool) ?? true);
      const speed = poolSpeed(pool);
      const toggle = h("input", {
        type: "checkbox",
        checked: rated,
        disabled: guest || busy,
        "data-key": `rated-${pool}`,
        "aria-label": `Rated ${pool}`,
        onchange: (e: Event) => this.rated.set(pool, (e.target as HTMLInputElement).checked),
      });
      return h(
        "li",
        { class: "pool", "data-pool": pool },
        h(
          "button",
          {
            type: "button",
            class: "play",
            disabled: busy,
            "data-key": `play-${pool}`,
            "aria-label": `Play ${pool} ${speed}`,
            onclick: () => this.act.start(pool, !guest && (this.rated.get(pool) ?? true)),
          },
          h("span", { class: "tc" }, pool),
          h("span", { class: "speed" }, speed),
        ),
        h(
          "label",
          {
            class: guest ? "rated disabled" : "rated",
            title: guest ? "Register to play rated games" : "",
          },
          toggle,
          " Rated",
        ),
      );
    });
    const speeds: Speed[] = ["bullet", "blitz", "rapid", "classical"];
    return h(
      "div",
      {},
      h("h2", {}, "Play"),
      guest
        ? h("p", { class: "hint" }, "Guests play unrated games. Register to play rated.")
        : h(
            "p",
            { class: "my-ratings" },
            "Your ratings: ",
            speeds.map((s) =>
              h("span", { "data-speed": s }, `${s} ${Math.round(state.user.ratings[s].rating)} `),
            ),
          ),
      h("ul", { class: "pools" }, cards),
    );
  }

  private queuePanel(state: LobbyState): HTMLElement | null {
    const live = state.live;
    if (live.status !== "queued") return null;
    return h(
      "div",
      { class: "queued", role: "status" },
      h(
        "span",
        {},
        `Looking for an opponent: ${live.timeControl} ${live.rated ? "rated" : "casual"} · `,
      ),
      h(
        "span",
        { class: "wait", "aria-label": "Waiting time" },
        formatWait(state.serverNow() - live.since),
      ),
      h(
        "button",
        { type: "button", class: "cancel", "data-key": "cancel", onclick: () => this.act.cancel() },
        "Cancel",
      ),
    );
  }

  private proposal(state: LobbyState): HTMLElement | null {
    if (state.live.status !== "proposed") return null;
    const p = state.live.proposal;
    return h(
      "div",
      {
        class: "proposal",
        role: "dialog",
        "aria-modal": "true",
        "aria-labelledby": "proposal-title",
      },
      h("h2", { id: "proposal-title" }, "Opponent found"),
      h(
        "p",
        { class: "opponent" },
        h("strong", {}, p.opponent.username),
        ` (${p.opponent.rating})`,
      ),
      h("p", {}, `${p.timeControl} · ${p.rated ? "rated" : "casual"}`),
      h("p", { class: "countdown", "aria-live": "off" }),
      state.accepted
        ? h("p", { class: "waiting" }, "Accepted. Waiting for your opponent…")
        : h(
            "div",
            { class: "row" },
            h(
              "button",
              {
                type: "button",
                class: "primary accept",
                "data-key": "accept",
                onclick: () => this.act.reply(p, true),
              },
              "Accept",
            ),
            h(
              "button",
              {
                type: "button",
                class: "decline",
                "data-key": "decline",
                onclick: () => this.act.reply(p, false),
              },
              "Decline",
            ),
          ),
    );
  }

  private tick(): void {
    const state = this.state;
    if (state === null) return;
    const now = state.serverNow();
    const wait = this.el.querySelector(".wait");
    if (wait && state.live.status === "queued")
      wait.textContent = formatWait(now - state.live.since);
    const countdown = this.el.querySelector(".countdown");
    if (countdown && state.live.status === "proposed") {
      const s = Math.max(0, Math.ceil((state.live.proposal.expiresAt - now) / 1000));
      countdown.textContent = `${s} s to answer`;
    }
  }
}
