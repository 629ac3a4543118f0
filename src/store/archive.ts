// Finished games into MongoDB, and their effects on the players, exactly once: the game document
// is inserted only if absent (its _id is the game id, so a retry changes nothing), the rating
// change is computed once and stored in it, and each registered player's document takes the game
// (counts, rating) by a compare-and-set of its own (archive-players.ts).
import type { MongoServerError } from "mongodb";
import type { AppContext } from "../context.js";
import { rateGame, scoreOf, type Glicko, type RatedGame } from "../domain/ratings.js";
import type {
  Clock,
  Color,
  Game,
  GameReason,
  GameResult,
  Speed,
  TimeControl,
} from "../protocol/types.js";
import { applyToPlayer } from "./archive-players.js";
import { loadGameRecord, type GameRecord } from "./game-store.js";
import type { UserDoc } from "./users.js";

export interface ArchivedPlayer {
  id: string;
  username: string;
  /** No account in MongoDB when the game was archived. */
  guest: boolean;
  /** The rating shown in the game (at its start). */
  rating: number;
  /** Glicko-2 at the game's start and after it; null when the game changed no rating. */
  before: Glicko | null;
  after: Glicko | null;
}

/** A finished game in MongoDB (`games` collection); `_id` is the game id. */
export interface GameDoc {
  _id: string;
  rated: boolean;
  timeControl: TimeControl;
  speed: Speed;
  players: Record<Color, ArchivedPlayer>;
  /** [white, black]: the history index {playerIds, endedAt, _id} starts with it. */
  playerIds: [string, string];
  winnerId: string | null;
  loserId: string | null;
  moves: string[];
  san: string[];
  /** Remaining ms of the mover after each move (PGN %clk). */
  clocks: number[];
  fen: string;
  ply: number;
  clock: Omit<Clock, "running">;
  result: GameResult | null;
  reason: GameReason | null;
  winner: Color | null;
  createdAt: number;
  endedAt: number;
  /** The rounded rating change announced in client/GAME_OVER; null when the game changed no rating. */
  ratingDiff: { white: number; black: number } | null;
  /** The game's event version at its end (the GAME_OVER's); absent in documents from before it. */
  v?: number;
  archivedAt: number;
}

export type ArchivePausePoint = "after-insert" | "after-white-claim" | "after-white" | "before-ack";

/** Lets a test stop the archiver between its steps (to SIGKILL it there). */
export type ArchivePause = (point: ArchivePausePoint) => Promise<void>;

type Ctx = Pick<AppContext, "redis" | "keys" | "mongo">;

const games = (ctx: Ctx) => ctx.mongo.db.collection<GameDoc>("games");
const users = (ctx: Ctx) => ctx.mongo.db.collection<UserDoc>("users");

/** The rating change a game makes: rated, with a result, and the ratings at its start known. */
function ratingChange(record: GameRecord): RatedGame | null {
  const { game, whiteGlicko, blackGlicko } = record;
  if (!game.rated || game.result === null || whiteGlicko === null || blackGlicko === null)
    return null;
  return rateGame(whiteGlicko, blackGlicko, scoreOf(game.result));
}

/** The change client/GAME_OVER announced (rated games are between registered users only). */
export function announcedRatingDiff(record: GameRecord): { white: number; black: number } | null {
  return ratingChange(record)?.diff ?? null;
}

/**
 * The document of an ended game. The rating change is computed here, once, from the ratings stored
 * at game start: only for a rated game with a result (an aborted game has none) between two
 * registered users.
 */
export function buildGameDoc(
  record: GameRecord,
  registered: ReadonlySet<string>,
  archivedAt: number,
): GameDoc {
  const g = record.game;
  const { whiteGlicko, blackGlicko } = record;
  const bothRegistered = registered.has(g.white.id) && registered.has(g.black.id);
  const rated = bothRegistered ? ratingChange(record) : null;
  const player = (color: Color): ArchivedPlayer => ({
    id: g[color].id,
    username: g[color].username,
    rating: g[color].rating,
    guest: !registered.has(g[color].id),
    before: rated ? (color === "white" ? whiteGlicko : blackGlicko) : null,
    after: rated ? rated[color] : null,
  });
  const loser: Color | null = g.winner === null ? null : g.winner === "white" ? "black" : "white";
  return {
    _id: g.id,
    rated: g.rated,
    timeControl: g.timeControl,
    speed: g.timeControl.speed,
    players: { white: player("white"), black: player("black") },
    playerIds: [g.white.id, g.black.id],
    winnerId: g.winner === null ? null : g[g.winner].id,
    loserId: loser === null ? null : g[loser].id,
    moves: g.moves,
    san: g.san,
    clocks: record.clocks,
    fen: g.fen,
    ply: g.ply,
    clock: { whiteMs: g.clock.whiteMs, blackMs: g.clock.blackMs, serverTime: g.clock.serverTime },
    result: g.result,
    reason: g.reason,
    winner: g.winner,
    createdAt: g.createdAt,
    endedAt: g.endedAt ?? g.clock.serverTime,
    ratingDiff: rated ? rated.diff : null,
    v: g.v,
    archivedAt,
  };
}

/** The wire game object of an archived game. */
export function gameFromDoc(doc: GameDoc): Game {
  const wirePlayer = (p: ArchivedPlayer) => ({ id: p.id, username: p.username, rating: p.rating });
  return {
    id: doc._id,
    rated: doc.rated,
    timeControl: doc.timeControl,
    white: wirePlayer(doc.players.white),
    black: wirePlayer(doc.players.black),
    fen: doc.fen,
    ply: doc.ply,
    moves: doc.moves,
    san: doc.san,
    turn: doc.ply % 2 === 0 ? "white" : "black",
    clock: { ...doc.clock, running: false },
    drawOffer: null,
    status: "ended",
    result: doc.result,
    reason: doc.reason,
    winner: doc.winner,
    createdAt: doc.createdAt,
    endedAt: doc.endedAt,
    v: doc.v ?? 0,
  };
}

/** Which of the ids have an account. One findOne each: FerretDB scans the collection for an `$in`. */
async function registeredAmong(ctx: Ctx, ids: string[]): Promise<Set<string>> {
  const found = await Promise.all(
    ids.map((_id) => users(ctx).findOne({ _id }, { projection: { _id: 1 } })),
  );
  return new Set(found.flatMap((u) => (u ? [u._id] : [])));
}

/**
 * Inserts the document unless it exists; either way returns the stored one (the first insert wins,
 * a retry changes nothing). An insert that meets the duplicate key of `_id` rather than an upsert
 * with $setOnInsert: FerretDB 1.24 drops the top-level null fields of a $setOnInsert (result,
 * winner, ratingDiff…), while insertOne keeps them; the effect is the same insert-if-absent.
 */
async function insertOnce(ctx: Ctx, doc: GameDoc): Promise<GameDoc> {
  try {
    await games(ctx).insertOne(doc);
    return doc;
  } catch (err) {
    if ((err as MongoServerError).code !== 11000) throw err;
  }
  const stored = await games(ctx).findOne({ _id: doc._id });
  if (stored === null) throw new Error(`game ${doc._id} vanished after a duplicate key`);
  return stored;
}

export type ArchiveOutcome = "archived" | "missing" | "not-ended" | "busy";

export interface ArchiveOptions {
  /** See PlayerUpdateOptions: when another game's claim on a player counts as abandoned. */
  staleClaimMs: number;
  pause?: ArchivePause;
}

/**
 * Archives one ended game and applies it to its players; safe to repeat at any point. Throws
 * while MongoDB or Redis is unreachable (the caller retries). "missing": neither Redis nor
 * MongoDB has the game; "not-ended": the game in Redis is still live; "busy": another game's
 * change to a player is being written, so try again later (the game document is in already).
 */
export async function archiveGame(
  ctx: Ctx,
  gameId: string,
  opts: ArchiveOptions,
): Promise<ArchiveOutcome> {
  const { pause, staleClaimMs } = opts;
  const record = await loadGameRecord(ctx, gameId);
  let doc: GameDoc | null;
  if (record === null) {
    // Archived before, and the hash has expired since: finish the players from the document.
    doc = await games(ctx).findOne({ _id: gameId });
    if (doc === null) return "missing";
  } else {
    if (record.game.status !== "ended") return "not-ended";
    const registered = await registeredAmong(ctx, [record.game.white.id, record.game.black.id]);
    doc = await insertOnce(ctx, buildGameDoc(record, registered, Date.now()));
  }
  await pause?.("after-insert");
  const afterClaim = () => pause?.("after-white-claim") ?? Promise.resolve();
  if ((await applyToPlayer(ctx, doc, "white", { staleClaimMs, afterClaim })) === "busy")
    return "busy";
  await pause?.("after-white");
  if ((await applyToPlayer(ctx, doc, "black", { staleClaimMs })) === "busy") return "busy";
  await pause?.("before-ack");
  return "archived";
}
