// "Rematch" on the game-over panel: offer, one's own offer pending, or the opponent's to answer.
import { h } from "../dom.js";
import type { RematchStatus } from "../rematch.js";

export interface RematchActions {
  offer: () => void;
  decline: () => void;
}

export function rematchControls(status: RematchStatus, act: RematchActions): HTMLElement {
  if (status === "theirs")
    return h(
      "div",
      { class: "rematch-offer", role: "status", "data-rematch": status },
      h("span", {}, "Your opponent offers a rematch."),
      h(
        "button",
        { type: "button", class: "primary accept-rematch", onclick: act.offer },
        "Accept rematch",
      ),
      h("button", { type: "button", class: "decline-rematch", onclick: act.decline }, "Decline"),
    );
  const mine = status === "mine";
  return h(
    "div",
    { class: "rematch-box", "data-rematch": status },
    h(
      "button",
      {
        type: "button",
        class: "rematch",
        onclick: act.offer,
        disabled: mine,
      },
      mine ? "Rematch offered" : "Rematch",
    ),
  );
}
