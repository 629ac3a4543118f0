// Replays a finished game from its UCI moves (SAN recomputed with chessops), step by step, with
// the arrow keys or the buttons, and offers its PGN.
import { Chessground } from "@lichess-org/chessground";
import type { Api } from "@lichess-org/chessground/api";
import type { Game } from "../../../protocol/types.js";
import { api, ApiError } from "../api.js";
import { fill, h } from "../dom.js";
import { humanError, reasonText } from "../messages.js";
import { INITIAL_FEN, replay, type ReplayStep } from "../rules.js";
import { moveList } from "./game-panels.js";

export interface ReplayHandle {
  el: HTMLElement;
  destroy: () => void;
}

export function replayView(gameId: string): ReplayHandle {
  const host = h("div", { class: "cg-host" });
  const el = h(
    "section",
    { class: "replay", "aria-label": "Game replay", "aria-busy": "true" },
    h(
      "div",
      { class: "board-col" },
      h("div", { class: "board", role: "img", "aria-label": "Chess board" }, host),
    ),
    h("div", { class: "side" }),
  );
  const ground = Chessground(host, { viewOnly: true, coordinates: true, fen: INITIAL_FEN });
  void load(el, ground, gameId);
  return { el, destroy: () => ground.destroy() };
}

async function load(el: HTMLElement, ground: Api, gameId: string): Promise<void> {
  const side = el.querySelector(".side")!;
  try {
    const game = await api.game(gameId);
    const steps = replay(game.moves);
    let ply = steps.length;
    const go = (target: number) => {
      ply = Math.max(0, Math.min(steps.length, target));
      show(el, ground, steps, ply, go);
    };
    fill(
      side,
      header(game),
      h("div", { class: "moves-box" }),
      navigation(go, () => ply, steps.length),
      h(
        "a",
        { href: api.pgnUrl(game.id), download: `${game.id}.pgn`, class: "button" },
        "Download PGN",
      ),
    );
    el.addEventListener("keydown", (e) => {
      const key = e.key;
      const target = { ArrowLeft: ply - 1, ArrowRight: ply + 1, Home: 0, End: steps.length }[key];
      if (target === undefined) return;
      e.preventDefault();
      go(target);
    });
    go(ply);
  } catch (err) {
    fill(
      side,
      h(
        "p",
        { class: "error", role: "alert" },
        humanError(err instanceof ApiError ? err.code : undefined),
      ),
    );
  } finally {
    el.setAttribute("aria-busy", "false");
  }
}

function header(game: Game): HTMLElement {
  return h(
    "div",
    {},
    h("h2", {}, `${game.white.username} – ${game.black.username}`),
    h(
      "p",
      {},
      `${game.timeControl.label} ${game.rated ? "rated" : "casual"} · ${new Date(game.createdAt).toLocaleString()}`,
    ),
    h("p", { class: "result" }, `${game.result ?? "*"} ${reasonText(game.reason)}`),
  );
}

function navigation(go: (ply: number) => void, ply: () => number, last: number): HTMLElement {
  const button = (label: string, text: string, target: () => number) =>
    h("button", { type: "button", "aria-label": label, onclick: () => go(target()) }, text);
  return h(
    "div",
    { class: "row nav", role: "group", "aria-label": "Replay controls (arrow keys work too)" },
    button("First position", "«", () => 0),
    button("Previous move", "‹", () => ply() - 1),
    button("Next move", "›", () => ply() + 1),
    button("Last position", "»", () => last),
  );
}

function show(
  el: HTMLElement,
  ground: Api,
  steps: ReplayStep[],
  ply: number,
  go: (ply: number) => void,
): void {
  const step = steps[ply - 1];
  const turn = ply % 2 === 0 ? "white" : "black";
  ground.set({
    fen: step?.fen ?? INITIAL_FEN,
    lastMove: step?.lastMove,
    check: step?.check ? turn : false,
  });
  el.dataset.ply = String(ply);
  const box = el.querySelector(".moves-box");
  if (box)
    fill(
      box,
      moveList(
        steps.map((s) => s.san),
        go,
        ply,
      ),
    );
}
