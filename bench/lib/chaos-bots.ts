// The players of the chaos run: guest bots that queue with autoAccept, replay random legal games
// the instant they may, and survive whatever dies under them. A bot reconnects by itself (same
// session), resyncs by `v` (client/RESUME_GAME on every reconnection while it plays, and
// game/PLAYER_READY {gameId, v} on a gap or a silence), and sends a move again with the same `ply`
// until it is acknowledged, seen committed, or refused for good (STALE_PLY: already played;
// GAME_OVER / NOT_FOUND: the game is over). What each player saw is kept for the checker.
import type { Socket } from "socket.io-client";
import type { Script } from "./random-games.js";

/** A move's acknowledgement is given up on after this long, and the move sent again. */
const ACK_MS = 3_000;
/** A player in a live game that has heard nothing for this long asks for what it missed. */
const QUIET_MS = 5_000;
/** A refusal that says nothing about the move (INTERNAL, a failover) is retried after this. */
const RETRY_MS = 300;
/** FUTURE_PLY that long means the server lost a move the players saw: an anomaly. */
const MAX_ATTEMPTS = 60;

type Ack = { ok: true } | { ok: false; error: { code: string } };
type Outcome = { result: string | null; reason: string | null; winner: string | null };

/** What one player saw of one game. */
export interface PlayerView {
  moves: string[];
  v: number;
  over: Outcome | null;
  /** client/GAME_OVER, or a RESUME_GAME of the ended game (the GAME_OVER went to a dead socket). */
  overVia: "GAME_OVER" | "RESUME_GAME" | null;
  heardAt: number;
  /** The player got the game's START_GAME or a RESUME_GAME of it. */
  had: boolean;
}

export interface ChaosGame {
  id: string;
  script: Script;
  /** White, black. */
  players: [ChaosBot, ChaosBot];
  views: [PlayerView, PlayerView];
  /** The moves acknowledged `{ok: true}` to their mover, by ply. */
  acked: Map<number, string>;
  startedAt: number;
  /** Each player's disconnections when the first START_GAME of the game reached the harness. */
  disconnectsAtStart: [number, number];
}

export interface ChaosBot {
  socket: Socket;
  userId: string;
  game: ChaosGame | null;
  pending: { ply: number; concede: boolean; attempts: number } | null;
  disconnects: number;
  downAt: number | null;
}

export interface ChaosCounts {
  moves: number;
  reconnects: number;
  resyncs: number;
  resends: number;
  duplicates: number;
  /** Games a player learned of only by asking (it had no socket while the game started and ended). */
  missedStarts: number;
  /** Sockets whose reconnection the harness restarted. */
  restartedSockets: number;
}

type Payload = Record<string, unknown> & { gameId?: string; v?: number };
type WireGame = {
  id: string;
  white: { id: string };
  black: { id: string };
  moves: string[];
  v: number;
  status: string;
} & Outcome;

const now = () => performance.now();
const COLORS = ["white", "black"] as const;

export class ChaosPlayers {
  readonly bots: ChaosBot[] = [];
  readonly games = new Map<string, ChaosGame>();
  readonly counts: ChaosCounts = {
    moves: 0,
    reconnects: 0,
    resyncs: 0,
    resends: 0,
    duplicates: 0,
    missedStarts: 0,
    restartedSockets: 0,
  };
  readonly anomalies: string[] = [];
  /** "run": bots queue again after each game; "drain": they resign and stay idle. */
  phase: "run" | "drain" = "run";
  private readonly byUser = new Map<string, ChaosBot>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly scripts: Script[],
    private readonly pool: string,
  ) {}

  add(socket: Socket, userId: string): ChaosBot {
    const bot: ChaosBot = {
      socket,
      userId,
      game: null,
      pending: null,
      disconnects: 0,
      downAt: null,
    };
    socket.on("disconnect", () => {
      bot.disconnects++;
      bot.downAt = now();
    });
    socket.on("connect", () => void (bot.downAt = null));
    this.bots.push(bot);
    this.byUser.set(userId, bot);
    socket.on("action", (a: { type: string; payload: Payload }) =>
      this.guard(() => this.on(bot, a)),
    );
    return bot;
  }

  /** Every bot asks for a game. */
  start(): void {
    for (const bot of this.bots) this.queue(bot);
  }

  /** Stop queueing: the side to move resigns, queued bots leave their queues. */
  drain(): void {
    this.phase = "drain";
    for (const bot of this.bots) {
      if (this.live(bot)) this.drive(bot);
      else this.cancel(bot);
    }
  }

  /** A bot with no live game leaves any queue it may still be in (idempotent). */
  cancel(bot: ChaosBot): void {
    if (!this.live(bot) && bot.socket.connected)
      bot.socket
        .timeout(ACK_MS)
        .emit("action", { type: "server/CANCEL_MATCHMAKING", payload: {} }, () => {});
  }

  /** Resyncs players that heard nothing for a while, and moves stuck bots on. */
  watch(): void {
    for (const g of this.games.values()) this.watchStart(g);
    // A socket whose reconnection stalled (seen rarely, after a kill mid-handshake) starts over.
    for (const bot of this.bots) {
      if (bot.downAt === null || now() - bot.downAt < QUIET_MS) continue;
      bot.downAt = now();
      this.counts.restartedSockets++;
      bot.socket.disconnect().connect();
    }
    for (const bot of this.bots) {
      const g = bot.game;
      if (g === null || !bot.socket.connected) continue;
      const view = this.viewOf(bot, g);
      if (view.over !== null || now() - view.heardAt < QUIET_MS) continue;
      view.heardAt = now();
      this.resync(bot, g);
      this.drive(bot);
    }
  }

  /**
   * A player that never got a game its opponent got: a lost START_GAME when it stayed connected
   * all along, else the game started and ended while it had no socket (RESUME_SESSION then says
   * idle, rightly). Either way it asks for the game's events, as a client told of it would.
   */
  private watchStart(g: ChaosGame): void {
    if (now() - g.startedAt < QUIET_MS) return;
    g.players.forEach((bot, i) => {
      const view = g.views[i]!;
      if (view.had || view.over !== null || !bot.socket.connected) return;
      if (g.disconnectsAtStart[i] === bot.disconnects)
        this.anomalies.push(`${g.id}: START_GAME never reached ${COLORS[i]}, connected all along`);
      view.had = true;
      this.counts.missedStarts++;
      this.resync(bot, g);
    });
  }

  /** Bots whose socket is down now (for the report). */
  disconnected(): number {
    return this.bots.filter((b) => !b.socket.connected).length;
  }

  /** Every live game over for both players. */
  settled(): boolean {
    return [...this.games.values()].every((g) => g.views.every((v) => v.over !== null));
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    for (const bot of this.bots) bot.socket.close();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.anomalies.push(`harness error: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.guard(fn);
    }, ms);
    this.timers.add(t);
  }

  private on(bot: ChaosBot, { type, payload }: { type: string; payload: Payload }): void {
    if (type === "client/RESUME_SESSION") return this.onSession(bot, payload);
    if (type === "client/START_GAME") return this.onGame(bot, payload.game as WireGame, false);
    if (type === "client/RESUME_GAME") return this.onGame(bot, payload.game as WireGame, true);
    if (typeof payload.gameId === "string" && typeof payload.v === "number")
      this.onEvent(bot, type, payload);
  }

  /**
   * Every RESUME_SESSION the harness sees is a reconnection (connectBot takes the first), or its
   * instance's resync after its Redis subscriber came back (a failover).
   */
  private onSession(bot: ChaosBot, payload: Payload): void {
    this.counts.reconnects++;
    const state = payload.state as { status: string; gameId?: string };
    const g = bot.game;
    if (state.status === "playing") return; // its RESUME_GAME follows
    if (g !== null && this.viewOf(bot, g).over === null) {
      // The game ended while this player had no socket: its GAME_OVER is replayed from the log.
      this.resync(bot, g);
      return;
    }
    if (state.status === "idle") {
      if (this.phase === "run") this.queue(bot);
      else this.cancel(bot);
    }
  }

  private gameOf(w: WireGame): ChaosGame {
    let g = this.games.get(w.id);
    if (g !== undefined) return g;
    const white = this.byUser.get(w.white.id);
    const black = this.byUser.get(w.black.id);
    if (white === undefined || black === undefined)
      throw new Error(`game ${w.id} of unknown players`);
    const view = (): PlayerView => ({
      moves: [],
      v: 0,
      over: null,
      overVia: null,
      heardAt: now(),
      had: false,
    });
    const connected = (b: ChaosBot) => (b.socket.connected ? b.disconnects : -1);
    g = {
      id: w.id,
      script: this.scripts[this.games.size % this.scripts.length]!,
      players: [white, black],
      views: [view(), view()],
      acked: new Map(),
      startedAt: now(),
      disconnectsAtStart: [connected(white), connected(black)],
    };
    this.games.set(w.id, g);
    return g;
  }

  private viewOf(bot: ChaosBot, g: ChaosGame): PlayerView {
    return g.views[g.players.indexOf(bot)]!;
  }

  private live(bot: ChaosBot): boolean {
    return bot.game !== null && this.viewOf(bot, bot.game).over === null;
  }

  /** START_GAME (the game at v 0), or RESUME_GAME: the whole state, compared with what was seen. */
  private onGame(bot: ChaosBot, w: WireGame, resumed: boolean): void {
    const g = this.gameOf(w);
    const index = g.players.indexOf(bot);
    if (index < 0)
      return (this.anomalies.push(`${w.id}: ${bot.userId} got the game of others`), undefined);
    // An answer about an older game (a late resync) does not take the player from its new one.
    const elsewhere = bot.game !== null && bot.game !== g && this.live(bot);
    if (elsewhere && w.status !== "ended")
      this.anomalies.push(`${bot.userId} is in ${w.id} while ${bot.game!.id} is live for it`);
    if (!elsewhere) bot.game = g;
    const view = g.views[index]!;
    if (resumed) {
      this.counts.resyncs++;
      const lost = view.moves.findIndex((m, ply) => w.moves[ply] !== m);
      if (lost >= 0)
        this.anomalies.push(
          `${g.id}: ${index === 0 ? "white" : "black"} had seen ${view.moves.join(" ")} (v ${view.v}); RESUME_GAME gives ${w.moves.join(" ")} (v ${w.v})`,
        );
    }
    if (w.v < view.v) return; // older than what this player holds already
    Object.assign(view, { moves: [...w.moves], v: w.v, heardAt: now(), had: true });
    if (w.status === "ended") {
      view.over = { result: w.result, reason: w.reason, winner: w.winner };
      view.overVia = "RESUME_GAME";
      return elsewhere ? undefined : this.finish(bot);
    }
    this.drive(bot);
  }

  private onEvent(bot: ChaosBot, type: string, p: Payload): void {
    const g = this.games.get(p.gameId!);
    if (g === undefined || g.players.indexOf(bot) < 0) return;
    const view = this.viewOf(bot, g);
    const v = p.v!;
    if (v <= view.v) return void this.counts.duplicates++;
    if (v > view.v + 1) return this.resync(bot, g); // a gap: the missing events are replayed
    view.v = v;
    view.heardAt = now();
    if (type === "client/UPDATE_GAME") {
      const ply = p.ply as number;
      const uci = (p.move as { uci: string }).uci;
      if (ply !== view.moves.length + 1 || g.script.moves[ply - 1] !== uci)
        this.anomalies.push(
          `${g.id}: UPDATE_GAME v ${v} ply ${ply} ${uci} after ${view.moves.join(" ")}; the script has ${g.script.moves[ply - 1]} there`,
        );
      view.moves.push(uci);
      if (bot.pending !== null && bot.pending.ply < ply) bot.pending = null;
      this.drive(bot);
    } else if (type === "client/GAME_OVER") {
      view.over = {
        result: p.result as string | null,
        reason: p.reason as string,
        winner: p.winner as string | null,
      };
      view.overVia = "GAME_OVER";
      if (bot.game === g) this.finish(bot);
    } else {
      this.anomalies.push(`${g.id}: unexpected ${type} v ${v}`);
    }
  }

  private resync(bot: ChaosBot, g: ChaosGame): void {
    if (!bot.socket.connected) return; // the reconnection brings RESUME_SESSION (and RESUME_GAME)
    this.counts.resyncs++;
    const v = this.viewOf(bot, g).v;
    bot.socket
      .timeout(ACK_MS)
      .emit("action", { type: "game/PLAYER_READY", payload: { gameId: g.id, v } }, () => {});
  }

  private finish(bot: ChaosBot): void {
    bot.pending = null;
    if (this.phase === "run") this.queue(bot);
  }

  /** The bot's next step when it is its turn: its script's move, or resigning. */
  private drive(bot: ChaosBot): void {
    const g = bot.game;
    if (g === null) return;
    const index = g.players.indexOf(bot);
    const view = g.views[index]!;
    const ply = view.moves.length;
    if (view.over !== null || ply % 2 !== index || bot.pending?.ply === ply) return;
    if (ply >= g.script.moves.length && g.script.ends) return; // mated or stalemated: it is over
    const concede = this.phase === "drain" || ply >= g.script.moves.length;
    bot.pending = { ply, concede, attempts: 0 };
    this.attempt(bot, g, bot.pending);
  }

  private attempt(bot: ChaosBot, g: ChaosGame, p: NonNullable<ChaosBot["pending"]>): void {
    const view = this.viewOf(bot, g);
    if (bot.pending !== p) return;
    if (view.over !== null || view.moves.length > p.ply) return void (bot.pending = null);
    if (!bot.socket.connected) return this.later(RETRY_MS, () => this.attempt(bot, g, p));
    if (++p.attempts > 1) this.counts.resends++;
    if (p.attempts > MAX_ATTEMPTS) {
      bot.pending = null;
      return void this.anomalies.push(
        `${g.id}: ply ${p.ply} never accepted after ${MAX_ATTEMPTS} attempts`,
      );
    }
    const uci = g.script.moves[p.ply]!;
    const action = p.concede
      ? { type: "game/CONCEDE", payload: { gameId: g.id } }
      : { type: "game/PLAYER_MOVE", payload: { gameId: g.id, move: uci, ply: p.ply } };
    bot.socket.timeout(ACK_MS).emit("action", action, (err: Error | null, ack: Ack) =>
      this.guard(() => {
        // The mover's own UPDATE_GAME usually comes first (and ends the wait), the ack after it.
        if (err === null && ack.ok && !p.concede && !g.acked.has(p.ply)) {
          g.acked.set(p.ply, uci);
          this.counts.moves++;
        }
        if (bot.pending !== p) return;
        if (err !== null) return this.attempt(bot, g, p); // no answer: the same ply again
        this.answered(bot, g, p, uci, ack);
      }),
    );
  }

  private answered(
    bot: ChaosBot,
    g: ChaosGame,
    p: NonNullable<ChaosBot["pending"]>,
    uci: string,
    ack: Ack,
  ): void {
    if (ack.ok) return void (bot.pending = null);
    const code = ack.error.code;
    if (code === "STALE_PLY" || code === "GAME_OVER" || code === "NOT_FOUND") {
      // Played already (an earlier attempt), or the game is over: the events tell the rest.
      bot.pending = null;
      return this.resync(bot, g);
    }
    if (["NOT_YOUR_TURN", "ILLEGAL_MOVE", "NOT_YOUR_GAME", "INVALID_INPUT"].includes(code)) {
      bot.pending = null;
      return void this.anomalies.push(
        `${g.id}: ply ${p.ply} ${p.concede ? "resign" : uci} refused ${code}`,
      );
    }
    this.later(RETRY_MS, () => this.attempt(bot, g, p)); // INTERNAL, FUTURE_PLY, ...: again
  }

  private queue(bot: ChaosBot): void {
    if (this.phase !== "run" || this.live(bot) || !bot.socket.connected) return;
    const payload = { timeControl: this.pool, autoAccept: true };
    bot.socket
      .timeout(ACK_MS)
      .emit(
        "action",
        { type: "server/START_MATCHMAKING", payload },
        (err: Error | null, ack: Ack) =>
          this.guard(() => {
            if (ack?.ok || (ack && ack.error.code === "ALREADY_IN_QUEUE")) return;
            this.later(err !== null ? 0 : 1_000, () => this.queue(bot));
          }),
      );
  }
}
