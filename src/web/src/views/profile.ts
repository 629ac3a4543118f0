// A player's profile: ratings per speed, win/loss counts, and the finished games, newest first,
// paged with the `next` cursor; each game links to its replay and its PGN.
import type { Game, Speed } from "../../../protocol/types.js";
import { api, ApiError, type Profile } from "../api.js";
import { h } from "../dom.js";
import { reasonText, humanError } from "../messages.js";

const PAGE = 20;
const SPEEDS: readonly Speed[] = ["bullet", "blitz", "rapid", "classical"];

export function profileView(username: string): HTMLElement {
  const el = h(
    "section",
    { class: "profile", "aria-label": `Profile of ${username}`, "aria-busy": "true" },
    h("h2", {}, username),
  );
  void load(el, username);
  return el;
}

async function load(el: HTMLElement, username: string): Promise<void> {
  try {
    const [profile, page] = await Promise.all([api.profile(username), api.games(username, PAGE)]);
    el.append(summary(profile), h("h3", {}, "Games"));
    const tbody = h("tbody");
    el.append(
      h(
        "table",
        { class: "games" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Date", "White", "Black", "Result", "Time", ""].map((t) =>
              h("th", { scope: "col" }, t),
            ),
          ),
        ),
        tbody,
      ),
    );
    appendGames(el, tbody, username, page.games, page.next);
  } catch (err) {
    el.append(
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

function summary(profile: Profile): HTMLElement {
  const g = profile.games;
  return h(
    "div",
    { class: "summary" },
    h(
      "table",
      { class: "ratings" },
      h(
        "tbody",
        {},
        SPEEDS.map((s) =>
          h(
            "tr",
            { "data-speed": s },
            h("th", { scope: "row" }, s),
            h("td", { class: "rating" }, String(Math.round(profile.ratings[s].rating))),
            h("td", {}, plural(profile.ratings[s].games, "game")),
          ),
        ),
      ),
    ),
    h(
      "p",
      {},
      `${plural(g.total, "game")} · ${g.wins} won · ${g.losses} lost · ${g.draws} drawn · member since ${new Date(profile.createdAt).toLocaleDateString()}`,
    ),
  );
}

function appendGames(
  el: HTMLElement,
  tbody: HTMLElement,
  username: string,
  games: Game[],
  next: string | number | null,
): void {
  for (const game of games) tbody.append(row(game));
  if (games.length === 0 && tbody.childElementCount === 0)
    tbody.append(h("tr", {}, h("td", { colspan: 6 }, "No finished games yet.")));
  el.querySelector(".more")?.remove();
  if (next === null || next === undefined) return;
  const loadMore = async () => {
    more.disabled = true;
    try {
      const page = await api.games(username, PAGE, next);
      appendGames(el, tbody, username, page.games, page.next);
    } catch (err) {
      more.disabled = false;
      more.textContent = humanError(err instanceof ApiError ? err.code : undefined);
    }
  };
  const more = h(
    "button",
    { type: "button", class: "more", onclick: () => void loadMore() },
    "Older games",
  );
  el.append(more);
}

function row(game: Game): HTMLElement {
  const when = new Date(game.endedAt ?? game.createdAt);
  const reason = reasonText(game.reason);
  return h(
    "tr",
    { "data-game": game.id },
    h("td", {}, h("time", { datetime: when.toISOString() }, when.toLocaleString())),
    h("td", {}, `${game.white.username} (${game.white.rating})`),
    h("td", {}, `${game.black.username} (${game.black.rating})`),
    h(
      "td",
      {},
      `${game.result ?? (game.reason === "aborted" ? "aborted" : "–")}${reason ? ` ${reason}` : ""}`,
    ),
    h("td", {}, `${game.timeControl.label}${game.rated ? " rated" : ""}`),
    h(
      "td",
      {},
      h(
        "a",
        {
          href: `#/game/${game.id}`,
          "aria-label": `Replay game ${game.white.username} vs ${game.black.username}`,
        },
        "Replay",
      ),
      " ",
      h("a", { href: api.pgnUrl(game.id), download: `${game.id}.pgn` }, "PGN"),
    ),
  );
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
