// Every Redis key, channel and Socket.IO room name, built in one place. The id of the entity sits
// in a hash tag so that all keys of one entity share a Redis Cluster slot.
import { bucketOf, bucketTags } from "./buckets.js";

export type Keys = ReturnType<typeof createKeys>;

export function createKeys(prefix: string) {
  const p = prefix;
  const bucketKeys = bucketTags.map((tag) => `${p}:deadlines:{${tag}}`);
  const waveLock = (pool: string, rated: boolean) =>
    `${p}:wave:{${pool}:${rated ? "rated" : "casual"}}`;
  return {
    prefix: p,
    session: (sessionId: string) => `${p}:session:{${sessionId}}`,
    /** Sessions of one user, so that logout-everywhere and renames can find them. */
    userSessions: (userId: string) => `${p}:user:{${userId}}:sessions`,
    guest: (userId: string) => `${p}:guest:{${userId}}`,
    /** A guest's generated name, lower-cased, to its user (JSON {id, username}): challenges by name. */
    guestName: (nameLower: string) => `${p}:guest-name:{${nameLower}}`,
    live: (userId: string) => `${p}:live:{${userId}}`,
    queue: (pool: string, rated: boolean) => `${p}:queue:{${pool}:${rated ? "rated" : "casual"}}`,
    queueEntries: (pool: string, rated: boolean) =>
      `${p}:queue:{${pool}:${rated ? "rated" : "casual"}}:entries`,
    proposal: (matchId: string) => `${p}:proposal:{${matchId}}`,
    challenge: (challengeId: string) => `${p}:challenge:{${challengeId}}`,
    /** A user's open challenges, made (`by`) or received (`to`): ids scored by expiresAt. */
    userChallenges: (userId: string, side: "by" | "to") =>
      `${p}:user:{${userId}}:challenges-${side}`,
    game: (gameId: string) => `${p}:game:{${gameId}}`,
    /** The last events of one game (a capped list of their JSON), written by the step that commits each. */
    gameLog: (gameId: string) => `${p}:game:{${gameId}}:events`,
    /** Who has a socket on one game, per instance, and its last announced crowd (presence-1.lua). */
    gamePresence: (gameId: string) => `${p}:game:{${gameId}}:presence`,
    /** A pending rematch offer of a finished game (JSON {by}), gone after REMATCH_MS. */
    rematch: (gameId: string) => `${p}:game:{${gameId}}:rematch`,
    /** The finished game whose rematch offer involves the user, so starting anything lapses it. */
    userRematch: (userId: string) => `${p}:user:{${userId}}:rematch`,
    /** How many rematches the user offered in the current minute (at most 2, as on lichess). */
    userRematchOffers: (userId: string) => `${p}:user:{${userId}}:rematch-offers`,
    /** The newest live games (ids scored by createdAt, capped): the watch page's list. */
    liveGames: `${p}:live-games`,
    /** Sharded pub/sub channel of one game's events, each with its `v`, in commit order. */
    gameEvents: (gameId: string) => `${p}:game-events:{${gameId}}`,
    /** Sharded pub/sub channel of one user's lobby events (proposals, their end, game starts). */
    userEvents: (userId: string) => `${p}:user-events:{${userId}}`,
    /**
     * The bucket of an entity's due work (flags, first-move aborts, proposal and challenge
     * expiries, the follow-ups of ended games), scored by due time: store/buckets.ts. A game's
     * bucket shares the game's slot.
     */
    deadlinesOf: (id: string) => bucketKeys[bucketOf(id)]!,
    /**
     * The one sorted set of due work before the buckets: still drained by the pollers, for the
     * members that instances of an older release write during a rolling upgrade.
     */
    legacyDeadlines: `${p}:deadlines`,
    /** Every set of due work the pollers read: the buckets, then the legacy set. */
    deadlineSets: [...bucketKeys, `${p}:deadlines`],
    /** Stream of ended games waiting to be archived into MongoDB. */
    archive: `${p}:archive`,
    archiveGroup: "archivers",
    /**
     * Stream of archive entries given up on. Its tag is the archive stream's whole name, so both
     * share a Cluster slot and one MULTI moves an entry from one to the other.
     */
    archiveDead: `{${p}:archive}:dead`,
    /** Stream of matchmaker/ADD_TO_QUEUE records. */
    matchmaker: `${p}:matchmaker`,
    waveLock,
    /** The lock of a queue's wave run soon after a join (PAIRING_SOON_MS). */
    soonWaveLock: (pool: string, rated: boolean) => `${waveLock(pool, rated)}:soon`,
    rateLimit: `${p}:rl`,
    adapterChannel: `${p}:sio#`,
  };
}

export const rooms = {
  user: (userId: string) => `user:${userId}`,
};
