// Users as the protocol shows them: registered accounts live in MongoDB, guests only in Redis.
import type { AppContext } from "../context.js";
import { INITIAL_GLICKO, type Glicko } from "../domain/ratings.js";
import type { PublicUser, Rating, Ratings, Speed } from "../protocol/types.js";
import type { SessionRecord } from "./sessions.js";

export const SPEEDS: readonly Speed[] = ["bullet", "blitz", "rapid", "classical"];

/** A stored rating: unrounded, with the Glicko-2 volatility (absent on accounts never rated). */
export type StoredRating = Rating & { volatility?: number };
export type StoredRatings = Record<Speed, StoredRating>;

export function defaultRatings(): Ratings {
  const fresh = () => ({ rating: 1500, deviation: 350, games: 0 });
  return { bullet: fresh(), blitz: fresh(), rapid: fresh(), classical: fresh() };
}

/** A stored account. `passwordHash` never leaves this layer. */
export interface UserDoc {
  _id: string;
  username: string;
  usernameLower: string;
  passwordHash: string;
  ratings: StoredRatings;
  createdAt: number;
  /** Archived games of the player whose effects (counts, rating change) this document holds. */
  archivedGames?: string[];
  /** The player's archived games by outcome (profile); absent until the first one. */
  gameCounts?: GameCounts;
  /** Changes the archiver made to this document (absent: none): its compare-and-set. */
  version?: number;
}

/** A player's archived games; `total` includes aborted games, which are neither won, lost nor drawn. */
export interface GameCounts {
  total: number;
  wins: number;
  losses: number;
  draws: number;
}

export const NO_GAMES: Readonly<GameCounts> = Object.freeze({
  total: 0,
  wins: 0,
  losses: 0,
  draws: 0,
});

/**
 * Ratings as the wire shows them: {rating, deviation, games} per speed, rounded. Stored ratings
 * are unrounded and carry the Glicko-2 volatility too (the archiver writes them).
 */
export function publicRatings(stored: StoredRatings): Ratings {
  const out = defaultRatings();
  for (const speed of SPEEDS) {
    const r = stored[speed];
    if (!r) continue;
    out[speed] = {
      rating: Math.round(r.rating),
      deviation: Math.round(r.deviation),
      games: r.games,
    };
  }
  return out;
}

export function toPublicUser(doc: Pick<UserDoc, "_id" | "username" | "ratings">): PublicUser {
  return { id: doc._id, username: doc.username, guest: false, ratings: publicRatings(doc.ratings) };
}

/** The user behind a session: from MongoDB for accounts (fresh ratings), from the session for guests. */
export async function loadPublicUser(
  ctx: Pick<AppContext, "mongo">,
  session: SessionRecord,
): Promise<PublicUser> {
  if (session.guest) {
    return {
      id: session.userId,
      username: session.username,
      guest: true,
      ratings: defaultRatings(),
    };
  }
  const doc = await ctx.mongo.db
    .collection<UserDoc>("users")
    .findOne({ _id: session.userId }, { projection: { username: 1, ratings: 1 } });
  if (doc === null) {
    return {
      id: session.userId,
      username: session.username,
      guest: false,
      ratings: defaultRatings(),
    };
  }
  return toPublicUser(doc);
}

export type { Glicko };

export const DEFAULT_VOLATILITY = INITIAL_GLICKO.volatility;

/** A player's rating for one speed, as a new game records it; defaults for unknown users. */
export async function loadGlicko(
  ctx: Pick<AppContext, "mongo">,
  userId: string,
  speed: Speed,
): Promise<Glicko> {
  const doc = await ctx.mongo.db
    .collection<UserDoc>("users")
    .findOne({ _id: userId }, { projection: { ratings: 1 } });
  const r = doc?.ratings[speed];
  return r
    ? { rating: r.rating, deviation: r.deviation, volatility: r.volatility ?? DEFAULT_VOLATILITY }
    : { rating: 1500, deviation: 350, volatility: DEFAULT_VOLATILITY };
}
