// Challenges in the browser: "Play a friend" in the lobby (time control, colour, rated, an optional
// username; the link to send; the open challenges made and received, with cancel, accept and
// decline), and the page a challenge link opens (#/challenge/<id>): what it offers, and accept.
import { POOLS } from "../../../protocol/pools.js";
import type { Challenge, PublicUser } from "../../../protocol/types.js";
import { api, ApiError } from "../api.js";
import { fill, h, keepFocus } from "../dom.js";

export type ChallengeAnswer = "ACCEPT" | "DECLINE" | "CANCEL";

export interface ChallengeActions {
  create: (payload: {
    timeControl: string;
    rated: boolean;
    color: Challenge["color"];
    to?: string;
  }) => void;
  answer: (challengeId: string, type: ChallengeAnswer) => void;
}

export function challengeLink(challengeId: string): string {
  return `${location.origin}${location.pathname}#/challenge/${encodeURIComponent(challengeId)}`;
}

/** "5+3 · casual · Alice plays white" */
function terms(c: Challenge): string {
  const colour = c.color === "random" ? "random colours" : `${c.from.username} plays ${c.color}`;
  return `${c.timeControl} · ${c.rated ? "rated" : "casual"} · ${colour}`;
}

function copyButton(input: HTMLInputElement): HTMLButtonElement {
  return h(
    "button",
    {
      type: "button",
      class: "copy",
      onclick: () => {
        input.select();
        // Clipboard needs a secure context; elsewhere the selected link is copied by hand.
        void navigator.clipboard?.writeText(input.value).catch(() => undefined);
      },
    },
    "Copy link",
  );
}

export class ChallengesPanel {
  readonly el = h("section", { class: "challenges card", "aria-label": "Play a friend" });
  private readonly lists = h("div", { class: "challenge-lists" });
  private readonly rated = h("input", { type: "checkbox", id: "challenge-rated" });
  private readonly create = h("button", { type: "submit", class: "primary create" }, "Challenge");

  constructor(private readonly act: ChallengeActions) {
    const timeControl = h(
      "select",
      { id: "challenge-tc" },
      POOLS.map((p) => h("option", { value: p, selected: p === "5+3" }, p)),
    );
    const color = h(
      "select",
      { id: "challenge-color" },
      ["random", "white", "black"].map((c) => h("option", { value: c }, c)),
    );
    const to = h("input", {
      id: "challenge-to",
      placeholder: "anyone with the link",
      maxlength: 20,
      pattern: "[A-Za-z0-9_\\-]{3,20}",
    });
    const form = h(
      "form",
      {
        class: "challenge-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          if (!form.reportValidity()) return;
          const name = to.value.trim();
          this.act.create({
            timeControl: timeControl.value,
            rated: this.rated.checked && !this.rated.disabled,
            color: color.value as Challenge["color"],
            ...(name ? { to: name } : {}),
          });
        },
      },
      h("label", { for: "challenge-tc" }, "Time control"),
      timeControl,
      h("label", { for: "challenge-color" }, "Your colour"),
      color,
      h("label", { for: "challenge-to" }, "Opponent (username)"),
      to,
      h("label", { class: "rated" }, this.rated, " Rated"),
      this.create,
    );
    fill(this.el, h("h2", {}, "Play a friend"), form, this.lists);
  }

  update(user: PublicUser, challenges: Challenge[], busy: boolean): void {
    this.rated.disabled = user.guest;
    this.create.disabled = busy;
    const mine = challenges.filter((c) => c.from.username === user.username);
    const theirs = challenges.filter((c) => c.from.username !== user.username);
    keepFocus(this.lists, () =>
      fill(
        this.lists,
        mine.length > 0 ? h("h3", {}, "Your challenges") : null,
        h(
          "ul",
          { class: "mine" },
          mine.map((c) => this.mine(c)),
        ),
        theirs.length > 0 ? h("h3", {}, "Challenges to you") : null,
        h(
          "ul",
          { class: "theirs" },
          theirs.map((c) => this.theirs(c)),
        ),
      ),
    );
  }

  private mine(c: Challenge): HTMLElement {
    const link = h("input", { readonly: true, value: challengeLink(c.id), "aria-label": "Link" });
    return h(
      "li",
      { class: "challenge", "data-id": c.id },
      h("span", {}, `${terms(c)} · ${c.to ? `to ${c.to}` : "by link"}`),
      link,
      copyButton(link),
      h(
        "button",
        {
          type: "button",
          class: "cancel",
          "data-key": `cancel-${c.id}`,
          onclick: () => this.act.answer(c.id, "CANCEL"),
        },
        "Cancel",
      ),
    );
  }

  private theirs(c: Challenge): HTMLElement {
    return h(
      "li",
      { class: "challenge incoming", role: "alert", "data-id": c.id },
      h("strong", {}, c.from.username),
      ` (${c.from.rating}) challenges you: ${terms(c)} `,
      h(
        "button",
        {
          type: "button",
          class: "primary accept",
          "data-key": `accept-${c.id}`,
          onclick: () => this.act.answer(c.id, "ACCEPT"),
        },
        "Accept",
      ),
      h(
        "button",
        {
          type: "button",
          class: "decline",
          "data-key": `decline-${c.id}`,
          onclick: () => this.act.answer(c.id, "DECLINE"),
        },
        "Decline",
      ),
    );
  }
}

export interface LinkActions {
  user: () => PublicUser | null;
  signedIn: boolean;
  accept: (challengeId: string) => void;
  acceptAsGuest: (challengeId: string) => void;
}

/** The page of a challenge link: what it offers, and the way to accept it. */
export function challengeLinkView(challengeId: string, act: LinkActions): HTMLElement {
  const el = h(
    "section",
    { class: "challenge-link card", "aria-label": "Challenge" },
    h("p", { role: "status" }, "Loading the challenge…"),
  );
  const show = (c: Challenge) => {
    const me = act.user();
    const own = me !== null && me.username === c.from.username;
    let action: HTMLElement;
    if (own) action = h("p", {}, "This is your challenge: send its link to your opponent.");
    else if (!act.signedIn && c.rated)
      action = h(
        "p",
        {},
        "A rated game: ",
        h("a", { href: "#/" }, "log in or register"),
        " first.",
      );
    else
      action = h(
        "button",
        {
          type: "button",
          class: "primary accept",
          onclick: () => (act.signedIn ? act.accept(c.id) : act.acceptAsGuest(c.id)),
        },
        act.signedIn ? "Accept" : "Play as guest and accept",
      );
    fill(
      el,
      h("h2", {}, `${c.from.username} (${c.from.rating}) challenges ${c.to ?? "you"}`),
      h("p", { class: "terms" }, terms(c)),
      action,
    );
  };
  api.challenge(challengeId).then(
    ({ challenge }) => show(challenge),
    (err: unknown) =>
      fill(
        el,
        h("h2", {}, "Challenge"),
        h(
          "p",
          { role: "alert" },
          err instanceof ApiError && err.status === 404
            ? "This challenge is no longer open."
            : "The challenge could not be loaded.",
        ),
        h("a", { href: "#/" }, "Back to the lobby"),
      ),
  );
  return el;
}
