// The "Watch" page (#/watch): the newest live games from GET /api/games?status=live, each a link
// to its watcher's view (#/watch/<id>), refreshed every few seconds and on demand.
import type { Game } from "../../../protocol/types.js";
import { api, ApiError } from "../api.js";
import { fill, h, keepFocus } from "../dom.js";
import { gameProgress, gameTerms } from "../game-model.js";
import { humanError } from "../messages.js";

/** Often enough to see new games come and go; the listing is one cheap read (docs/protocol.md). */
const REFRESH_MS = 5_000;
const LIMIT = 50;

function watchLink(gameId: string): string {
  return `#/watch/${encodeURIComponent(gameId)}`;
}

function row(game: Game): HTMLElement {
  const player = (color: "white" | "black") =>
    h(
      "span",
      { class: `player-name ${color}` },
      h("span", { class: `dot ${color}`, "aria-hidden": "true" }),
      `${game[color].username} (${game[color].rating})`,
    );
  return h(
    "li",
    { class: "live-game", "data-id": game.id, "data-ply": game.ply },
    h(
      "a",
      { href: watchLink(game.id), "data-key": `watch-${game.id}`, class: "players" },
      player("white"),
      " – ",
      player("black"),
    ),
    h("span", { class: "terms" }, gameTerms(game)),
    h("span", { class: "progress" }, gameProgress(game)),
  );
}

export function watchListView(): { el: HTMLElement; destroy: () => void } {
  const list = h("div", { class: "live-list", "aria-live": "polite", "aria-busy": "true" });
  const refresh = async () => {
    let games: Game[];
    try {
      games = (await api.liveGames(LIMIT)).games;
    } catch (err) {
      const code = err instanceof ApiError ? err.code : undefined;
      return fill(list, h("p", { class: "error", role: "alert" }, humanError(code)));
    } finally {
      list.setAttribute("aria-busy", "false");
    }
    keepFocus(list, () =>
      fill(
        list,
        games.length === 0
          ? h("p", { class: "empty" }, "No game is being played right now.")
          : h("ul", { class: "live-games" }, games.map(row)),
      ),
    );
  };
  const el = h(
    "section",
    { class: "watch card", "aria-label": "Watch" },
    h("h2", {}, "Live games"),
    h("button", { type: "button", class: "refresh", onclick: () => void refresh() }, "Refresh"),
    list,
  );
  void refresh();
  const timer = window.setInterval(() => void refresh(), REFRESH_MS);
  return { el, destroy: () => window.clearInterval(timer) };
}
