// The shapes of PROTOCOL.md that the server sends: users, live state, games and events.
// Shared by the server and the browser client (type-only imports there).

export type Speed = "bullet" | "blitz" | "rapid" | "classical";
export type Color = "white" | "black";
export type GameResult = "1-0" | "0-1" | "1/2-1/2";
export type GameReason =
  | "checkmate"
  | "resign"
  | "timeout"
  | "stalemate"
  | "agreement"
  | "threefold"
  | "fifty-move"
  | "insufficient-material"
  | "aborted"
  | "abandoned";

export interface Rating {
  rating: number;
  deviation: number;
  games: number;
}

export type Ratings = Record<Speed, Rating>;

export interface PublicUser {
  id: string;
  username: string;
  guest: boolean;
  ratings: Ratings;
}

export interface TimeControl {
  label: string;
  initialMs: number;
  incrementMs: number;
  speed: Speed;
}

export interface Proposal {
  matchId: string;
  timeControl: string;
  rated: boolean;
  opponent: { username: string; rating: number };
  expiresAt: number;
}

export type LiveState =
  | { status: "idle" }
  | { status: "queued"; timeControl: string; rated: boolean; since: number }
  | { status: "proposed"; proposal: Proposal }
  | { status: "playing"; gameId: string };

/** An open challenge as clients see it; `color` is the challenger's (random: drawn at acceptance). */
export interface Challenge {
  id: string;
  from: { username: string; rating: number };
  to: string | null;
  timeControl: string;
  rated: boolean;
  color: "white" | "black" | "random";
  expiresAt: number;
}

export interface Clock {
  whiteMs: number;
  blackMs: number;
  running: boolean;
  serverTime: number;
}

export interface GamePlayer {
  id: string;
  username: string;
  rating: number;
}

export interface Game {
  id: string;
  rated: boolean;
  timeControl: TimeControl;
  white: GamePlayer;
  black: GamePlayer;
  fen: string;
  ply: number;
  moves: string[];
  san: string[];
  turn: Color;
  clock: Clock;
  drawOffer: Color | null;
  status: "started" | "ended";
  result: GameResult | null;
  reason: GameReason | null;
  winner: Color | null;
  createdAt: number;
  endedAt: number | null;
  /** The game's event version: 0 at START_GAME, the `v` of the last event the object includes. */
  v: number;
}

export interface ServerEvents {
  "client/RESUME_SESSION": {
    sessionId: string;
    user: PublicUser;
    state: LiveState;
    /** Open challenges made by the user or addressed to the user. */
    challenges: Challenge[];
  };
  "client/ALREADY_IN_QUEUE": { state: LiveState };
  "client/PROPOSE_MATCHUP": Proposal;
  "client/MATCHUP_CANCELLED": {
    matchId: string;
    reason: "declined" | "expired";
    requeued: boolean;
  };
  "client/START_GAME": { game: Game };
  "client/RESUME_GAME": { game: Game };
  "client/UPDATE_GAME": {
    gameId: string;
    v: number;
    ply: number;
    move: { uci: string; san: string };
    fen: string;
    clock: Clock;
    drawOffer: Color | null;
  };
  "client/OFFER_DRAW": { gameId: string; v: number; by: Color };
  "client/DRAW_DECLINED": { gameId: string; v: number; by: Color };
  "client/GAME_OVER": {
    gameId: string;
    v: number;
    result: GameResult | null;
    reason: GameReason;
    winner: Color | null;
    ratingDiff: { white: number; black: number } | null;
  };
  "client/TAKEBACK_OFFERED": { gameId: string; v: number; by: Color };
  "client/TAKEBACK_DECLINED": { gameId: string; v: number; by: Color };
  /** The game after a takeback: its moves cut to `ply`, the clocks as they were then. */
  "client/TAKEBACK": { gameId: string; v: number; ply: number; fen: string; clock: Clock };
  "client/UPDATE_CLOCK": { gameId: string; v: number; clock: Clock };
  /** Who is on the game: whether each player has a connected socket, how many sockets watch. */
  "client/CROWD": { gameId: string; white: boolean; black: boolean; watchers: number };
  "client/ERROR": { code: string; message: string; type: string };
  "client/CHALLENGE": { challenge: Challenge };
  "client/CHALLENGE_CANCELLED": {
    challengeId: string;
    reason: "declined" | "cancelled" | "expired";
  };
  /** A rematch of the finished game `gameId` is offered; `by` is the offerer's colour in it. */
  "client/REMATCH_OFFERED": { gameId: string; by: Color };
  /** The offer is gone: declined, or lapsed because `by` started something else. */
  "client/REMATCH_DECLINED": { gameId: string; by: Color };
}

export type ServerEventType = keyof ServerEvents;

/** The events of one game, each carrying the game's next `v` (PROTOCOL.md, "Game events"). */
export const GAME_EVENT_TYPES = [
  "client/UPDATE_GAME",
  "client/OFFER_DRAW",
  "client/DRAW_DECLINED",
  "client/TAKEBACK_OFFERED",
  "client/TAKEBACK_DECLINED",
  "client/TAKEBACK",
  "client/UPDATE_CLOCK",
  "client/GAME_OVER",
] as const;
export type GameEventType = (typeof GAME_EVENT_TYPES)[number];

/** The one wire shape of every message, both ways: the event `action` with `{type, payload}`. */
export type ServerAction = {
  [K in ServerEventType]: { type: K; payload: ServerEvents[K] };
}[ServerEventType];

export type GameEvent = Extract<ServerAction, { type: GameEventType }>;

export type Ack =
  | ({ ok: true } & Record<string, unknown>)
  | { ok: false; error: { code: string; message: string } };
