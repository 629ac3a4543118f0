// The client's one piece of state and what changes it: socket events from the server, and the
// player's actions. Screens are drawn from this state by screens.ts.
import type {
  Challenge,
  Color,
  Game,
  GameEvent,
  LiveState,
  Proposal,
  PublicUser,
  ServerAction,
} from "../../protocol/types.js";
import { api, ApiError, onServerDate } from "./api.js";
import { ClockOffset } from "./clock.js";
import { openConnection, type Connection } from "./connection.js";
import { EventOrder } from "./event-order.js";
import { colorOf, type GameOver } from "./game-model.js";
import { humanError } from "./messages.js";
import { findSession } from "./session.js";

export interface State {
  sessionId: string | null;
  user: PublicUser | null;
  live: LiveState;
  connected: boolean;
  /** The game on screen: the live one, or a finished one until the player leaves its panel. */
  game: Game | null;
  over: GameOver | null;
  accepted: boolean;
  /** What the game object does not carry: a pending takeback proposal, and who is gone since when. */
  extras: GameExtras;
  /** Open challenges made by the user or addressed to the user. */
  challenges: Challenge[];
}

export interface GameExtras {
  takebackOffer: Color | null;
  /** When (client clock) each player was last seen to have no socket on the game; null: here. */
  goneSince: Record<Color, number | null>;
}

const noExtras = (): GameExtras => ({
  takebackOffer: null,
  goneSince: { white: null, black: null },
});

export interface Ui {
  render: () => void;
  /** The game screen, when shown: updated in place so the board keeps its premove and drag. */
  gameChanged: (forceBoard: boolean) => void;
  notify: (message: string) => void;
}

/** Takes a server action before the app does (a watched game, rematch offers); true: taken. */
export type Tap = (action: ServerAction, receivedAt: number) => boolean;

/** How long a connection waits for client/RESUME_GAME before asking for it itself. */
const RESUME_GAME_WAIT_MS = 1500;

export class App {
  readonly state: State = {
    sessionId: null,
    user: null,
    live: { status: "idle" },
    connected: false,
    game: null,
    over: null,
    accepted: false,
    extras: noExtras(),
    challenges: [],
  };
  /** A challenge link's visitor became a guest to accept it: accepted once the session resumes. */
  private acceptOnResume: string | null = null;
  private readonly offset = new ClockOffset();
  private conn: Connection | null = null;
  private lastQueue: { timeControl: string; rated: boolean; since: number } | null = null;
  private resumeTimer = 0;
  private readonly order = new EventOrder((type, payload) => this.send(type, payload));
  readonly taps = new Set<Tap>();
  ui: Ui = { render: () => {}, gameChanged: () => {}, notify: () => {} };

  async start(): Promise<void> {
    onServerDate((date, sent, received) => this.offset.observeDateHeader(date, sent, received));
    const sessionId = await findSession();
    if (sessionId !== null) this.connect(sessionId);
    this.ui.render();
  }

  serverNow = (): number => Date.now() + this.offset.offsetMs();

  /** A server stamp seen outside the player's own game (a watched one's events). */
  observeClock = (serverTime: number, receivedAt: number, fresh: boolean): void =>
    this.offset.observe(serverTime, receivedAt, fresh);

  /** This client's measured round trip to the server, ms (sent with each move as its lag). */
  lagMs = (): number | null => this.conn?.lagMs() ?? null;

  /** Opens the socket for the session that the cookie now carries (`sessionId` is its id). */
  connect(sessionId: string): void {
    this.conn?.close();
    this.state.sessionId = sessionId;
    this.conn = openConnection({
      onAction: (action, receivedAt) => this.onAction(action, receivedAt),
      onStatus: (connected) => {
        this.state.connected = connected;
        this.ui.render();
      },
    });
  }

  async logout(): Promise<void> {
    const sessionId = this.state.sessionId;
    this.conn?.close();
    this.conn = null;
    Object.assign(this.state, {
      sessionId: null,
      user: null,
      live: { status: "idle" },
      game: null,
      over: null,
      connected: false,
      challenges: [],
    });
    this.ui.render();
    await api.logout(sessionId).catch(() => undefined);
  }

  send = async (type: string, payload: unknown) => {
    if (this.conn === null) return { ok: false as const, error: { code: "NETWORK", message: "" } };
    return this.conn.send(type, payload);
  };

  async startMatchmaking(timeControl: string, rated: boolean): Promise<void> {
    this.leaveGame();
    const answer = await this.send("server/START_MATCHMAKING", { timeControl, rated });
    if (!answer.ok) {
      if (answer.error.code !== "ALREADY_IN_QUEUE") this.ui.notify(humanError(answer.error.code));
      return;
    }
    // A fast pairing may already have sent the proposal: never step back from it.
    const state = (answer.state as LiveState | undefined) ?? {
      status: "queued",
      timeControl,
      rated,
      since: this.serverNow(),
    };
    if (this.state.live.status === "idle") this.setLive(state);
  }

  async cancelMatchmaking(): Promise<void> {
    const answer = await this.send("server/CANCEL_MATCHMAKING", {});
    if (!answer.ok && answer.error.code !== "NOT_IN_QUEUE")
      return this.ui.notify(humanError(answer.error.code));
    if (this.state.live.status === "queued") this.setLive({ status: "idle" });
  }

  async reply(proposal: Proposal, accept: boolean): Promise<void> {
    const answer = await this.send("server/REPLY_MATCHUP", { matchId: proposal.matchId, accept });
    const still =
      this.state.live.status === "proposed" &&
      this.state.live.proposal.matchId === proposal.matchId;
    if (!answer.ok) {
      this.ui.notify(humanError(answer.error.code));
      if (still && answer.error.code === "UNKNOWN_MATCH") this.setLive({ status: "idle" });
      return;
    }
    if (!still) return;
    if (accept) this.state.accepted = true;
    else this.setLive({ status: "idle" });
    this.ui.render();
  }

  async createChallenge(payload: {
    timeControl: string;
    rated: boolean;
    color: Challenge["color"];
    to?: string;
  }): Promise<void> {
    const answer = await this.send("server/CREATE_CHALLENGE", payload);
    if (!answer.ok) return this.ui.notify(humanError(answer.error.code));
    this.keepChallenge(answer.challenge as Challenge);
  }

  async answerChallenge(challengeId: string, type: "ACCEPT" | "DECLINE" | "CANCEL"): Promise<void> {
    if (type === "ACCEPT") this.leaveGame();
    const answer = await this.send(`server/${type}_CHALLENGE`, { challengeId });
    if (!answer.ok) this.ui.notify(humanError(answer.error.code));
    if (answer.ok || answer.error.code === "UNKNOWN_CHALLENGE") this.dropChallenge(challengeId);
  }

  /** From a challenge link with no session: play as a new guest, and accept once connected. */
  async acceptAsGuest(challengeId: string): Promise<void> {
    const answer = await api.guest().catch(() => null);
    if (answer === null) return this.ui.notify(humanError("INTERNAL"));
    this.acceptOnResume = challengeId;
    this.connect(answer.sessionId);
  }

  private keepChallenge(challenge: Challenge): void {
    const list = this.state.challenges.filter((c) => c.id !== challenge.id);
    this.state.challenges = [...list, challenge];
    this.ui.render();
  }

  private dropChallenge(challengeId: string): void {
    this.state.challenges = this.state.challenges.filter((c) => c.id !== challengeId);
    this.ui.render();
  }

  /** A game started: the challenge it came from (if any) is no longer open. */
  private async pruneChallenges(): Promise<void> {
    for (const c of this.state.challenges) {
      const open = await api.challenge(c.id).then(
        () => true,
        (err: unknown) => !(err instanceof ApiError && err.status === 404),
      );
      if (!open) this.dropChallenge(c.id);
    }
  }

  /** Leaves the finished game's panel for the lobby. */
  leaveGame(): void {
    if (this.state.game?.status === "ended") {
      this.state.game = null;
      this.state.over = null;
    }
  }

  resync = (gameId: string): void => {
    void this.send("game/PLAYER_READY", { gameId });
  };

  private setLive(live: LiveState): void {
    if (live.status === "queued") this.lastQueue = live;
    if (live.status !== "proposed") this.state.accepted = false;
    this.state.live = live;
    this.ui.render();
  }

  private onAction(action: ServerAction, receivedAt: number): void {
    for (const tap of this.taps) if (tap(action, receivedAt)) return;
    switch (action.type) {
      case "client/RESUME_SESSION":
        return this.onResumeSession(action.payload);
      case "client/ALREADY_IN_QUEUE":
        return this.setLive(action.payload.state);
      case "client/PROPOSE_MATCHUP":
        this.state.accepted = false;
        return this.setLive({ status: "proposed", proposal: action.payload });
      case "client/MATCHUP_CANCELLED": {
        const p = action.payload;
        this.ui.notify(
          p.reason === "declined" ? "The match was declined." : "The match proposal expired.",
        );
        if (p.requeued && this.lastQueue)
          return this.setLive({ status: "queued", ...this.lastQueue });
        return this.setLive({ status: "idle" });
      }
      case "client/START_GAME":
        void this.pruneChallenges();
        // The server sends every event of the game from here on (PROTOCOL: delivery by `v`).
        return this.showGame(action.payload.game, receivedAt);
      case "client/CHALLENGE":
        return this.keepChallenge(action.payload.challenge);
      case "client/CHALLENGE_CANCELLED": {
        const known = this.state.challenges.some((c) => c.id === action.payload.challengeId);
        if (known) this.ui.notify(`The challenge was ${action.payload.reason}.`);
        return this.dropChallenge(action.payload.challengeId);
      }
      case "client/RESUME_GAME":
        return this.showGame(action.payload.game, receivedAt);
      case "client/UPDATE_GAME":
      case "client/OFFER_DRAW":
      case "client/DRAW_DECLINED":
      case "client/TAKEBACK_OFFERED":
      case "client/TAKEBACK_DECLINED":
      case "client/TAKEBACK":
      case "client/UPDATE_CLOCK":
      case "client/GAME_OVER":
        return this.onGameEvent(action, receivedAt);
      case "client/CROWD": {
        const crowd = action.payload;
        if (this.state.game?.id !== crowd.gameId) return;
        const gone = this.state.extras.goneSince;
        for (const color of ["white", "black"] as const) {
          if (crowd[color]) gone[color] = null;
          else gone[color] ??= Date.now();
        }
        return this.ui.gameChanged(false);
      }
      case "client/ERROR":
        return this.ui.notify(humanError(action.payload.code));
    }
  }

  private onResumeSession(p: {
    sessionId: string;
    user: PublicUser;
    state: LiveState;
    challenges?: Challenge[];
  }): void {
    if (p.sessionId !== this.state.sessionId) {
      // The server no longer knew the cookie's session and gave a new guest one, which no cookie
      // carries: name it on reconnections, in this page's memory only.
      this.state.sessionId = p.sessionId;
      this.conn?.setSession(p.sessionId);
    }
    this.state.user = p.user;
    const wasAccepted =
      this.state.accepted &&
      this.state.live.status === "proposed" &&
      p.state.status === "proposed" &&
      this.state.live.proposal.matchId === p.state.proposal.matchId;
    const game = this.state.game;
    if (p.state.status === "playing" && game?.id !== p.state.gameId) {
      // RESUME_GAME follows RESUME_SESSION; ask for it ourselves should it not come.
      const gameId = p.state.gameId;
      window.clearTimeout(this.resumeTimer);
      this.resumeTimer = window.setTimeout(() => {
        if (this.state.game?.id !== gameId) this.resync(gameId);
      }, RESUME_GAME_WAIT_MS);
    }
    if (p.state.status !== "playing" && game?.status === "started") void this.fetchEnded(game.id);
    if (p.state.status === "queued") this.lastQueue = p.state;
    this.state.live = p.state;
    this.state.accepted = wasAccepted;
    this.state.challenges = p.challenges ?? [];
    this.ui.render();
    const pending = this.acceptOnResume;
    this.acceptOnResume = null;
    if (pending !== null) void this.answerChallenge(pending, "ACCEPT");
  }

  private showGame(game: Game, receivedAt: number): void {
    this.offset.observe(game.clock.serverTime, receivedAt, false);
    const same = this.state.game?.id === game.id;
    this.state.game = game;
    // Held events past the whole game's v still follow it.
    this.order.loaded(same);
    if (!same) {
      this.state.over = null;
      this.state.extras = noExtras();
    }
    if (game.status === "started") this.state.live = { status: "playing", gameId: game.id };
    if (same) this.ui.gameChanged(true);
    else this.ui.render();
    this.catchUp();
  }

  private onGameEvent(event: GameEvent, receivedAt: number): void {
    if (event.type === "client/UPDATE_GAME")
      this.offset.observe(event.payload.clock.serverTime, receivedAt, true);
    // Applied now if it follows, else once the repair has brought the events in between.
    if (this.order.hold(this.state.game, event)) return this.catchUp();
    // The end of a game not on screen still frees the player for the lobby.
    const live = this.state.live;
    const gameId = event.payload.gameId;
    if (event.type === "client/GAME_OVER" && live.status === "playing" && live.gameId === gameId)
      this.setLive({ status: "idle" });
  }

  private catchUp(): void {
    const before = this.state.game;
    if (before === null) return;
    const { game, applied } = this.order.catchUp(before);
    this.state.game = game;
    for (const event of applied) this.announce(game, event);
    if (applied.length > 0) this.ui.gameChanged(before.status !== game.status);
  }

  /** What an applied event tells the player beyond the board. */
  private announce(game: Game, event: GameEvent): void {
    const me = colorOf(game, this.state.user?.id);
    const extras = this.state.extras;
    switch (event.type) {
      case "client/UPDATE_GAME":
        extras.takebackOffer = null; // a move lapses a proposal
        return;
      case "client/TAKEBACK_OFFERED":
        extras.takebackOffer = event.payload.by;
        if (event.payload.by !== me) this.ui.notify("Your opponent asks to take back a move.");
        return;
      case "client/TAKEBACK_DECLINED":
        extras.takebackOffer = null;
        if (event.payload.by !== me) this.ui.notify("Your opponent declined the takeback.");
        return;
      case "client/TAKEBACK":
        extras.takebackOffer = null;
        return this.ui.notify("The last move was taken back.");
      case "client/UPDATE_CLOCK":
        return;
      case "client/OFFER_DRAW":
        if (event.payload.by !== me) this.ui.notify("Your opponent offers a draw.");
        return;
      case "client/DRAW_DECLINED":
        return this.ui.notify(
          event.payload.by !== me ? "Your opponent declined the draw." : "You declined the draw.",
        );
      case "client/GAME_OVER":
        return this.onGameOver(game, event.payload);
    }
  }

  private onGameOver(game: Game, over: GameOver): void {
    if (this.state.live.status === "playing" && this.state.live.gameId === over.gameId)
      this.state.live = { status: "idle" };
    this.state.over = over;
    const me = colorOf(game, this.state.user?.id);
    const user = this.state.user;
    if (over.ratingDiff && me && user) {
      const r = user.ratings[game.timeControl.speed];
      user.ratings[game.timeControl.speed] = {
        ...r,
        rating: r.rating + over.ratingDiff[me],
        games: r.games + 1,
      };
    }
  }

  /** The game ended while this client was away: load it whole. */
  private async fetchEnded(gameId: string): Promise<void> {
    const fetched = await api.game(gameId).catch(() => null);
    const game = this.state.game;
    if (fetched === null || game === null || game.id !== gameId || fetched.status !== "ended")
      return;
    if (game.status === "ended" && fetched.ply <= game.ply) return;
    this.state.game = { ...fetched, clock: { ...fetched.clock, running: false } };
    this.ui.gameChanged(true);
  }
}
