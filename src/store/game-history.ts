// Reading finished games back: one game, a player's games newest first (cursor pages on the index
// {playerIds, endedAt, _id}, never skip), and the live-or-archived lookup. A player's game counts
// are not counted here: the archiver keeps them on the user document (archive-players.ts).
import type { AppContext } from "../context.js";
import type { Game } from "../protocol/types.js";
import { announcedRatingDiff, gameFromDoc, type GameDoc } from "./archive.js";
import { loadGameRecord } from "./game-store.js";
import type { UserDoc } from "./users.js";

type Ctx = Pick<AppContext, "redis" | "keys" | "mongo">;

/** Where a page ends: the sort key (endedAt, _id) of its last game. */
export interface HistoryCursor {
  endedAt: number;
  id: string;
}

const games = (ctx: Pick<Ctx, "mongo">) => ctx.mongo.db.collection<GameDoc>("games");

export async function findUserByName(
  ctx: Pick<Ctx, "mongo">,
  username: string,
): Promise<Pick<UserDoc, "_id" | "username" | "ratings" | "createdAt" | "gameCounts"> | null> {
  return ctx.mongo.db
    .collection<UserDoc>("users")
    .findOne(
      { usernameLower: username.toLowerCase() },
      { projection: { _id: 1, username: 1, ratings: 1, createdAt: 1, gameCounts: 1 } },
    );
}

/** A page of a player's finished games, newest first, and the cursor of the next page (null: none). */
export async function listUserGames(
  ctx: Pick<Ctx, "mongo">,
  userId: string,
  limit: number,
  before: HistoryCursor | null,
): Promise<{ games: GameDoc[]; next: HistoryCursor | null }> {
  const filter = before
    ? {
        playerIds: userId,
        $or: [
          { endedAt: { $lt: before.endedAt } },
          { endedAt: before.endedAt, _id: { $lt: before.id } },
        ],
      }
    : { playerIds: userId };
  // One more than asked tells whether another page exists, so `next` is null on the last page.
  const docs = await games(ctx)
    .find(filter)
    .sort({ endedAt: -1, _id: -1 })
    .limit(limit + 1)
    .toArray();
  const page = docs.slice(0, limit);
  const last = page[page.length - 1];
  const next = docs.length > limit && last ? { endedAt: last.endedAt, id: last._id } : null;
  return { games: page, next };
}

export async function loadArchivedGame(
  ctx: Pick<Ctx, "mongo">,
  gameId: string,
): Promise<GameDoc | null> {
  return games(ctx).findOne({ _id: gameId });
}

/** What a game view needs: the wire object, the clocks for PGN, the rating change when known. */
export interface GameView {
  game: Game;
  clocks: number[];
  ratingDiff: { white: number; black: number } | null;
}

/**
 * A game from Redis while it is there (live, or ended and not yet expired after archiving: Redis
 * is the truth until then), else from MongoDB.
 */
export async function loadGameView(ctx: Ctx, gameId: string): Promise<GameView | null> {
  const record = await loadGameRecord(ctx, gameId);
  if (record !== null)
    return { game: record.game, clocks: record.clocks, ratingDiff: announcedRatingDiff(record) };
  const doc = await loadArchivedGame(ctx, gameId);
  return doc === null
    ? null
    : { game: gameFromDoc(doc), clocks: doc.clocks, ratingDiff: doc.ratingDiff };
}
