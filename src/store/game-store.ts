// Live games in Redis: one hash per game (`keys.game(id)`), written only by the Lua scripts of
// src/store/lua (game creation by the matchmaking accept script; moves, offers, ends by game-*.lua).
//
// Hash fields (all strings):
//   v             the game's event version: 0 at creation, +1 with every event (game-common.lua)
//   id rated(0|1) tc initialMs incrementMs speed
//   white black   JSON {id, username, rating}
//   whiteGlicko blackGlicko  JSON {rating, deviation, volatility} at game start ("" when unrated)
//   ratingDiffs   JSON {"1-0": {white, black}, "0-1": …, "1/2-1/2": …}: the rating change each result
//                 makes, computed once at creation so the ending script can announce it ("" unrated)
//   fen ply       position after `ply` half-moves (games start from the initial position)
//   moves san     space-separated UCI and SAN
//   clocks        space-separated remaining ms of the mover after each move (for PGN %clk)
//   reps          '|'-separated repetition keys (FEN fields 1–4, which hold spaces) since the last
//                 irreversible move, the current position last
//   whiteMs blackMs serverTime running(0|1)   clock at serverTime (Redis TIME)
//   deadline      when the side to move flags, or loses its first-move chance (ms)
//   drawOffer     "" | white | black
//   whiteLagQuota blackLagQuota  each side's lag-compensation quota in ms (src/domain/lag.ts)
//   whiteGaveAt blackGaveAt      when each side last gave the other time (GIVE_TIME throttle)
//   takebackOffer "" | white | black: the side whose takeback proposal is pending
//   takebacks     how many takebacks were accepted (absent: none); with ply it names the position
//   whiteTakebackDeclines blackTakebackDeclines  how often each side's proposals were declined
//   whiteTakebackAt blackTakebackAt  before when each side may not propose again (ms)
//   status        started | ended;  result reason winner endedAt ("" while live)
//   createdAt
import type { AppContext } from "../context.js";
import { INITIAL_FEN, repetitionKey } from "../domain/chess.js";
import { lagRulesOf } from "../domain/lag.js";
import { rateGame, scoreOf } from "../domain/ratings.js";
import type {
  Color,
  Game,
  GamePlayer,
  GameReason,
  GameResult,
  TimeControl,
} from "../protocol/types.js";
import type { Glicko } from "./users.js";

export interface NewGame {
  id: string;
  rated: boolean;
  timeControl: TimeControl;
  white: GamePlayer;
  black: GamePlayer;
  whiteGlicko: Glicko | null;
  blackGlicko: Glicko | null;
}

const RESULTS: readonly GameResult[] = ["1-0", "0-1", "1/2-1/2"];

/** What each result would change, announced in client/GAME_OVER: the archiver applies the same. */
function ratingDiffsOf(game: NewGame): string {
  if (!game.rated || game.whiteGlicko === null || game.blackGlicko === null) return "";
  const { whiteGlicko: w, blackGlicko: b } = game;
  return JSON.stringify(
    Object.fromEntries(RESULTS.map((r) => [r, rateGame(w, b, scoreOf(r)).diff])),
  );
}

/**
 * The hash of a new game as a flat [field, value, ...] list for HSET. The creating script adds
 * `createdAt`, `serverTime` and `deadline` (= TIME + FIRST_MOVE_MS) from Redis TIME.
 */
export function newGameFields(game: NewGame): string[] {
  const tc = game.timeControl;
  const fields: Record<string, string> = {
    v: "0",
    id: game.id,
    rated: game.rated ? "1" : "0",
    tc: tc.label,
    initialMs: String(tc.initialMs),
    incrementMs: String(tc.incrementMs),
    speed: tc.speed,
    white: JSON.stringify(game.white),
    black: JSON.stringify(game.black),
    whiteGlicko: game.whiteGlicko ? JSON.stringify(game.whiteGlicko) : "",
    blackGlicko: game.blackGlicko ? JSON.stringify(game.blackGlicko) : "",
    ratingDiffs: ratingDiffsOf(game),
    fen: INITIAL_FEN,
    ply: "0",
    moves: "",
    san: "",
    clocks: "",
    reps: repetitionKey(INITIAL_FEN),
    whiteMs: String(tc.initialMs),
    blackMs: String(tc.initialMs),
    running: "0",
    drawOffer: "",
    whiteLagQuota: String(lagRulesOf(tc).startMs),
    blackLagQuota: String(lagRulesOf(tc).startMs),
    status: "started",
    result: "",
    reason: "",
    winner: "",
    endedAt: "",
  };
  return Object.entries(fields).flat();
}

/** Stands for Redis TIME in the START_GAME that the creating script publishes. */
const NOW = "$NOW";

/**
 * The client/START_GAME of a new game, as JSON with "$NOW" where the creating script puts Redis
 * TIME (the game's createdAt and its clock's serverTime).
 */
export function startGameEvent(fields: readonly string[]): string {
  const hash: Record<string, string> = { createdAt: "0", serverTime: "0", deadline: "0" };
  for (let i = 0; i + 1 < fields.length; i += 2) hash[fields[i]!] = fields[i + 1]!;
  const { game } = recordFromHash(hash);
  return JSON.stringify({ type: "client/START_GAME", payload: { game } }, (key, value: unknown) =>
    key === "createdAt" || key === "serverTime" ? NOW : value,
  );
}

/** Everything a live game holds, including what the wire object leaves out. */
export interface GameRecord {
  game: Game;
  reps: string[];
  clocks: number[];
  deadline: number;
  /** The side whose takeback proposal is pending. */
  takebackOffer: Color | null;
  /** How many takebacks were accepted. */
  takebacks: number;
  whiteGlicko: Glicko | null;
  blackGlicko: Glicko | null;
}

const words = (s: string | undefined): string[] => (s ? s.split(" ") : []);
const orNull = <T extends string>(s: string | undefined): T | null => (s ? (s as T) : null);

export function recordFromHash(h: Record<string, string>): GameRecord {
  const ply = Number(h.ply);
  const game: Game = {
    id: h.id!,
    rated: h.rated === "1",
    timeControl: {
      label: h.tc!,
      initialMs: Number(h.initialMs),
      incrementMs: Number(h.incrementMs),
      speed: h.speed as TimeControl["speed"],
    },
    white: JSON.parse(h.white!) as GamePlayer,
    black: JSON.parse(h.black!) as GamePlayer,
    fen: h.fen!,
    ply,
    moves: words(h.moves),
    san: words(h.san),
    turn: ply % 2 === 0 ? "white" : "black",
    clock: {
      whiteMs: Number(h.whiteMs),
      blackMs: Number(h.blackMs),
      running: h.running === "1",
      serverTime: Number(h.serverTime),
    },
    drawOffer: orNull<Color>(h.drawOffer),
    status: h.status === "ended" ? "ended" : "started",
    result: orNull<GameResult>(h.result),
    reason: orNull<GameReason>(h.reason),
    winner: orNull<Color>(h.winner),
    createdAt: Number(h.createdAt),
    endedAt: h.endedAt ? Number(h.endedAt) : null,
    v: Number(h.v),
  };
  return {
    game,
    reps: h.reps ? h.reps.split("|") : [],
    clocks: words(h.clocks).map(Number),
    deadline: Number(h.deadline),
    takebackOffer: orNull<Color>(h.takebackOffer),
    takebacks: Number(h.takebacks ?? 0),
    whiteGlicko: h.whiteGlicko ? (JSON.parse(h.whiteGlicko) as Glicko) : null,
    blackGlicko: h.blackGlicko ? (JSON.parse(h.blackGlicko) as Glicko) : null,
  };
}

export async function loadGameRecord(
  ctx: Pick<AppContext, "redis" | "keys">,
  gameId: string,
): Promise<GameRecord | null> {
  const h = await ctx.redis.hGetAll(ctx.keys.game(gameId));
  return h.id === undefined ? null : recordFromHash(h);
}

export async function loadGame(
  ctx: Pick<AppContext, "redis" | "keys">,
  gameId: string,
): Promise<Game | null> {
  return (await loadGameRecord(ctx, gameId))?.game ?? null;
}
