// An archived game's effects on its registered players' documents (the game counts, and the rating
// change of a rated game), each applied exactly once by a compare-and-set on the document's
// `version`. On FerretDB 1.x an updateOne is read, apply in Go, replace by _id, with no lock, so
// a version in its filter is no compare-and-set there: two updates that read the same version both
// match and the later replace erases the earlier. The one atomic step both stores share is the
// unique _id of an insert, so each version is first claimed by inserting its change
// (`userChanges`, _id "<userId>:<version>"), and only the claimant writes it. A claim is inserted
// only after reading the version before it, and every claim stays (none is inserted twice): so one
// writer at a time updates a user's document, and its filter still holds when FerretDB replaces.
import type { MongoServerError } from "mongodb";
import type { AppContext } from "../context.js";
import { INITIAL_GLICKO } from "../domain/ratings.js";
import type { Color, Speed } from "../protocol/types.js";
import type { GameDoc } from "./archive.js";
import { redisNowMs } from "./matchmaking.js";
import { NO_GAMES, type GameCounts, type StoredRating, type UserDoc } from "./users.js";

type Ctx = Pick<AppContext, "redis" | "keys" | "mongo">;

/** The change that takes a user's document to `version`; `_id` is "<userId>:<version>". */
export interface UserChange {
  _id: string;
  userId: string;
  version: number;
  gameId: string;
  counts: GameCounts;
  /** The speed's rating after the game; null when the game changed no rating. */
  rating: { speed: Speed; value: StoredRating } | null;
  /** Redis TIME at the claim: how long it has waited for its claimant. */
  claimedAtMs: number;
}

export interface PlayerUpdateOptions {
  /**
   * A claim of another game unapplied this long is taken as abandoned (its archiver died after
   * claiming, or gave the entry up) and applied by whoever finds it: the archiver's own notion of
   * a dead consumer (ARCHIVE_CLAIM_IDLE_MS). Sooner, the claimant may still be writing.
   */
  staleClaimMs: number;
  /** A test's stop between the claim and the write (to crash there). */
  afterClaim?: () => Promise<void>;
}

/** "busy": another game's change to this player is claimed and not written yet; try later. */
export type PlayerUpdate = "done" | "busy";

const users = (ctx: Ctx) => ctx.mongo.db.collection<UserDoc>("users");
const changes = (ctx: Ctx) => ctx.mongo.db.collection<UserChange>("userChanges");

/** A claimant writes in one round trip after its claim: waits of 25 ms, up to about a second. */
const BUSY_WAITS = 40;
const BUSY_WAIT_MS = 25;
/** Rounds that move the version on: one per game of the player being archived at once. */
const MAX_ROUNDS = 100;

/**
 * What the game does to one player's counts and rating. The rating moves by the game's stored
 * change rather than to its after-value: should the player's next game have started before this
 * one was archived, its start rating was stale, and the after-value would erase this game's change.
 * Deviation and volatility are the stored after-values.
 */
export function playerChange(
  user: Pick<UserDoc, "ratings" | "gameCounts">,
  doc: GameDoc,
  color: Color,
): Pick<UserChange, "counts" | "rating"> {
  const c = { ...(user.gameCounts ?? NO_GAMES) };
  c.total++;
  if (doc.winner === color) c.wins++;
  else if (doc.winner !== null) c.losses++;
  else if (doc.result === "1/2-1/2") c.draws++;
  const { before, after } = doc.players[color];
  if (before === null || after === null) return { counts: c, rating: null };
  const now = user.ratings[doc.speed] ?? { ...INITIAL_GLICKO, games: 0 };
  const value = {
    rating: now.rating + (after.rating - before.rating),
    deviation: after.deviation,
    volatility: after.volatility,
    games: now.games + 1,
  };
  return { counts: c, rating: { speed: doc.speed, value } };
}

/** Inserts the claim, or returns the one that holds its version already. */
async function claim(ctx: Ctx, change: UserChange): Promise<UserChange> {
  try {
    await changes(ctx).insertOne(change);
    return change;
  } catch (err) {
    if ((err as MongoServerError).code !== 11000) throw err;
  }
  const held = await changes(ctx).findOne({ _id: change._id });
  if (held === null) throw new Error(`claim ${change._id} vanished after a duplicate key`);
  return held;
}

/** Writes a claimed change; false when the document is no longer at the version before it. */
async function write(ctx: Ctx, change: UserChange): Promise<boolean> {
  const from = change.version - 1;
  const set: Record<string, unknown> = { version: change.version, gameCounts: change.counts };
  if (change.rating) set[`ratings.${change.rating.speed}`] = change.rating.value;
  const res = await users(ctx).updateOne(
    { _id: change.userId, version: from === 0 ? { $exists: false } : from },
    { $set: set, $push: { archivedGames: change.gameId } },
  );
  return res.matchedCount === 1;
}

/**
 * Applies the game to one registered player unless the document holds it already; safe to repeat
 * at any point, and to run beside other games' updates of the same player on other instances.
 */
export async function applyToPlayer(
  ctx: Ctx,
  doc: GameDoc,
  color: Color,
  opts: PlayerUpdateOptions,
): Promise<PlayerUpdate> {
  const userId = doc.players[color].id;
  if (doc.players[color].guest) return "done";
  let waits = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const user = await users(ctx).findOne(
      { _id: userId, archivedGames: { $ne: doc._id } },
      { projection: { ratings: 1, gameCounts: 1, version: 1 } },
    );
    if (user === null) return "done";
    const version = (user.version ?? 0) + 1;
    const held = await claim(ctx, {
      _id: `${userId}:${version}`,
      userId,
      version,
      gameId: doc._id,
      ...playerChange(user, doc, color),
      claimedAtMs: await redisNowMs(ctx),
    });
    const ours = held.gameId === doc._id;
    if (!ours && (await redisNowMs(ctx)) - held.claimedAtMs < opts.staleClaimMs) {
      if (++waits > BUSY_WAITS) return "busy";
      await new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS));
      continue;
    }
    // Ours (just now, or before a crash: then its values, computed from the same version), or
    // abandoned: write it. A miss means someone wrote it first; the next read tells.
    if (ours) await opts.afterClaim?.();
    if ((await write(ctx, held)) && ours) return "done";
  }
  return "busy";
}
