// Draws the screen that the state calls for (entry, lobby, game, profile, replay, watch) with the
// header, the reconnecting banner and the notices. The hash holds the route: #/@/name, #/game/id,
// #/watch, #/watch/id.
import type { App } from "./app.js";
import { $, fill, h, keepFocus } from "./dom.js";
import { colorOf } from "./game-model.js";
import { Rematches } from "./rematch.js";
import { ChallengesPanel, challengeLinkView } from "./views/challenges.js";
import { entryView } from "./views/entry.js";
import { GameView } from "./views/game.js";
import { LobbyView } from "./views/lobby.js";
import { profileView } from "./views/profile.js";
import { replayView } from "./views/replay.js";
import { watchListView } from "./views/watch-list.js";
import { WatchScreen } from "./views/watch.js";

type Screen =
  | {
      kind: "entry" | "connecting" | "profile" | "replay" | "challenge" | "watch-list" | "watch";
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
  | { kind: "challenge"; challengeId: string }
  | { kind: "watch-list" }
  | { kind: "watch"; gameId: string };

function route(): Route {
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
  if (hash.startsWith("@/")) return { kind: "profile", username: hash.slice(2) };
  if (hash.startsWith("game/")) return { kind: "replay", gameId: hash.slice(5) };
  if (hash.startsWith("challenge/")) return { kind: "challenge", challengeId: hash.slice(10) };
  if (hash === "watch") return { kind: "watch-list" };
  if (hash.startsWith("watch/")) return { kind: "watch", gameId: hash.slice(6) };
  return { kind: "home" };
}

export class Screens {
  private screen: Screen | null = null;
  private readonly rematch: Rematches;

  constructor(private readonly app: App) {
    const { state } = app;
    this.rematch = new Rematches({
      send: app.send,
      notify: (message) => this.notify(message),
      changed: () => this.gameChanged(false),
      me: (gameId) =>
        state.game?.id === gameId && state.user ? colorOf(state.game, state.user.id) : null,
    });
    app.taps.add(this.rematch.take);
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
    if (r.kind === "watch-list") return "watch-list";
    // Watching needs a socket, so a session (a visitor becomes a guest on the entry screen).
    const live = state.live;
    const own = live.status === "playing" && r.kind === "watch" && live.gameId === r.gameId;
    if (r.kind === "watch" && state.sessionId !== null && state.user !== null && !own)
      return `watch:${r.gameId}`;
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
        rematch: {
          status: (gameId, me) => this.rematch.status(gameId, me),
          offer: (gameId, me) => void this.rematch.offer(gameId, me),
          decline: (gameId) => void this.rematch.decline(gameId),
        },
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
    if (kind === "watch-list") {
      const view = watchListView();
      return { kind: "watch-list", key, el: view.el, destroy: view.destroy };
    }
    if (kind === "watch") return this.watchScreen(key, arg);
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

  private watchScreen(key: string, gameId: string): Screen {
    const app = this.app;
    const watch = new WatchScreen(gameId, {
      send: app.send,
      serverNow: app.serverNow,
      observeClock: app.observeClock,
      notify: (m) => this.notify(m),
      connected: () => app.state.connected && app.state.user !== null,
      lobby: () => {
        location.hash = "";
      },
    });
    app.taps.add(watch.take);
    const destroy = () => {
      app.taps.delete(watch.take);
      watch.destroy();
    };
    return { kind: "watch", key, el: watch.el, destroy };
  }

  private header(): void {
    const { user, sessionId } = this.app.state;
    const nav = $("#nav");
    keepFocus(nav, () =>
      fill(
        nav,
        h("a", { href: "#/", "data-key": "lobby" }, "Lobby"),
        h("a", { href: "#/watch", "data-key": "watch" }, "Watch"),
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
