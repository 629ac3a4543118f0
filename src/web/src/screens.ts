// Draws the screen that the state calls for (entry, lobby, game, profile, replay) with the header,
// the reconnecting banner and the notices. The hash holds the route: #/@/name, #/game/id.
import type { App } from "./app.js";
import { $, fill, h, keepFocus } from "./dom.js";
import { ChallengesPanel, challengeLinkView } from "./views/challenges.js";
import { entryView } from "./views/entry.js";
import { GameView } from "./views/game.js";
import { LobbyView } from "./views/lobby.js";
import { profileView } from "./views/profile.js";
import { replayView } from "./views/replay.js";

type Screen =
  | {
      kind: "entry" | "connecting" | "profile" | "replay" | "challenge";
      key: string;
      el: HTMLElement;
      destroy?: () => void;
    }
  | {
      kind: "lobby";
      key: string;
      el: HTMLElement;
      view: LobbyView;
      panel: ChallengesPanel;
      destroy: () => void;
    }
  | { kind: "game"; key: string; el: HTMLElement; view: GameView; destroy: () => void };

type Route =
  | { kind: "home" }
  | { kind: "profile"; username: string }
  | { kind: "replay"; gameId: string }
  | { kind: "challenge"; challengeId: string };

function route(): Route {
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
  if (hash.startsWith("@/")) return { kind: "profile", username: hash.slice(2) };
  if (hash.startsWith("game/")) return { kind: "replay", gameId: hash.slice(5) };
  if (hash.startsWith("challenge/")) return { kind: "challenge", challengeId: hash.slice(10) };
  return { kind: "home" };
}

export class Screens {
  private screen: Screen | null = null;

  constructor(private readonly app: App) {
    app.ui = {
      render: () => this.render(),
      gameChanged: (force) => this.gameChanged(force),
      notify: (message) => this.notify(message),
    };
    window.addEventListener("hashchange", () => {
      this.app.leaveGame();
      this.render();
    });
  }

  render(): void {
    const { state } = this.app;
    this.header();
    $("#banner").hidden = state.sessionId === null || state.connected;
    document.body.dataset.connected = String(state.connected);
    const want = this.wanted();
    if (this.screen?.key !== want) this.mount(want);
    const screen = this.screen;
    if (screen?.kind === "lobby" && state.user) {
      screen.view.update({
        user: state.user,
        live: state.live,
        accepted: state.accepted,
        serverNow: this.app.serverNow,
      });
      screen.panel.update(
        state.user,
        state.challenges,
        state.live.status !== "idle" && state.live.status !== "queued",
      );
    }
    if (screen?.kind === "game" && state.game) screen.view.set(state.game, state.over);
  }

  private gameChanged(forceBoard: boolean): void {
    const { game, over } = this.app.state;
    if (this.screen?.kind === "game" && game && this.screen.view.gameId === game.id)
      this.screen.view.set(game, over, forceBoard);
    else this.render();
  }

  /** A key naming the screen to show; a new key mounts a new screen. */
  private wanted(): string {
    const { state } = this.app;
    const r = route();
    if (state.game && state.user) return `game:${state.game.id}`;
    if (r.kind === "profile") return `profile:${r.username}`;
    if (r.kind === "replay") return `replay:${r.gameId}`;
    // A link's visitor sees the offer, signed in or not (the key changes when a session comes).
    if (r.kind === "challenge") return `challenge:${state.sessionId ? "s" : "n"}:${r.challengeId}`;
    if (state.sessionId === null) return "entry";
    if (state.user === null || state.live.status === "playing") return "connecting";
    return "lobby";
  }

  private mount(key: string): void {
    this.screen?.destroy?.();
    this.screen = this.build(key);
    const main = $("#main");
    main.dataset.screen = this.screen.kind;
    fill(main, this.screen.el);
  }

  private build(key: string): Screen {
    const app = this.app;
    const [kind, ...rest] = key.split(":");
    const arg = rest.join(":");
    if (kind === "game" && app.state.game && app.state.user) {
      const view = new GameView(app.state.game, {
        userId: app.state.user.id,
        serverNow: app.serverNow,
        send: app.send,
        notify: (m) => this.notify(m),
        resync: app.resync,
        again: (pool, rated) => void app.startMatchmaking(pool, rated),
        lagMs: app.lagMs,
        extras: () => app.state.extras,
        lobby: () => {
          app.leaveGame();
          location.hash = "";
          this.render();
        },
      });
      return { kind: "game", key, el: view.el, view, destroy: () => view.destroy() };
    }
    if (kind === "lobby") {
      const view = new LobbyView({
        start: (pool, rated) => void app.startMatchmaking(pool, rated),
        cancel: () => void app.cancelMatchmaking(),
        reply: (p, accept) => void app.reply(p, accept),
      });
      const panel = new ChallengesPanel({
        create: (payload) => void app.createChallenge(payload),
        answer: (id, type) => void app.answerChallenge(id, type),
      });
      const el = h("div", { class: "lobby-screen" }, view.el, panel.el);
      return { kind: "lobby", key, el, view, panel, destroy: () => view.destroy() };
    }
    if (kind === "profile") return { kind: "profile", key, el: profileView(arg) };
    if (kind === "challenge") {
      const el = challengeLinkView(arg.slice(2), {
        user: () => app.state.user,
        signedIn: app.state.sessionId !== null,
        accept: (id) => void app.answerChallenge(id, "ACCEPT"),
        acceptAsGuest: (id) => void app.acceptAsGuest(id),
      });
      return { kind: "challenge", key, el };
    }
    if (kind === "replay") {
      const view = replayView(arg);
      return { kind: "replay", key, el: view.el, destroy: view.destroy };
    }
    if (kind === "entry")
      return { kind: "entry", key, el: entryView((answer) => app.connect(answer.sessionId)) };
    return {
      kind: "connecting",
      key,
      el: h("p", { class: "connecting", role: "status" }, "Connecting…"),
    };
  }

  private header(): void {
    const { user, sessionId } = this.app.state;
    const nav = $("#nav");
    keepFocus(nav, () =>
      fill(
        nav,
        h("a", { href: "#/", "data-key": "lobby" }, "Lobby"),
        user && !user.guest
          ? h(
              "a",
              {
                href: `#/@/${encodeURIComponent(user.username)}`,
                class: "me",
                "data-key": "me",
                "aria-label": `Your profile (${user.username})`,
              },
              user.username,
            )
          : null,
        user?.guest ? h("span", { class: "me" }, `${user.username} (guest)`) : null,
        sessionId
          ? h(
              "button",
              {
                type: "button",
                class: "link logout",
                "data-key": "logout",
                onclick: () => void this.app.logout(),
              },
              user?.guest ? "Sign in" : "Log out",
            )
          : null,
      ),
    );
  }

  notify(message: string): void {
    const toast = h("p", { class: "toast", role: "alert" }, message);
    $("#toasts").append(toast);
    window.setTimeout(() => toast.remove(), 6000);
  }
}
