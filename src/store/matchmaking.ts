// Queues, proposals and the start of a matched game in Redis: each transition is one Lua script
// (src/store/lua), so racing instances, waves, cancels and replies never put a player in two places.
import type { AppContext } from "../context.js";
import type { Pool } from "../protocol/actions.js";
import type { StoredLiveState, StoredProposal } from "./live-state.js";
import { getStoredLiveState } from "./live-state.js";
import { LuaScript } from "./lua-script.js";

const enqueueScript = LuaScript.load("enqueue-4");
const cancelQueueScript = LuaScript.load("cancel-queue-3");
const pairScript = LuaScript.load("pair-6");
const acceptScript = LuaScript.load("accept-matchup-7", ["game-created"]);
const cancelMatchupScript = LuaScript.load("cancel-matchup-6");

/** The matchmaker stream keeps about this many ADD_TO_QUEUE records (XADD MAXLEN ~). */
export const MATCHMAKER_STREAM_MAXLEN = 10_000;

type Ctx = Pick<AppContext, "redis" | "keys">;

/** A queued player as its pool's entries hash holds it (JSON under the user id). */
export interface QueueEntry {
  username: string;
  rating: number;
  guest: boolean;
  autoAccept: boolean;
  since: number;
}

export interface QueueRequest {
  userId: string;
  username: string;
  guest: boolean;
  pool: Pool;
  rated: boolean;
  autoAccept: boolean;
  /** The user's rating for the pool's speed. */
  rating: number;
}

const flag = (b: boolean) => (b ? "1" : "0");

/** Queues an idle user, or reports the state that stands in the way. */
export async function enqueue(
  ctx: Ctx,
  req: QueueRequest,
): Promise<{ ok: true; since: number } | { ok: false; current: StoredLiveState }> {
  const k = ctx.keys;
  const [queued, value] = (await enqueueScript.run(
    ctx.redis,
    [
      k.live(req.userId),
      k.queue(req.pool, req.rated),
      k.queueEntries(req.pool, req.rated),
      k.matchmaker,
    ],
    [
      req.userId,
      req.pool,
      flag(req.rated),
      flag(req.autoAccept),
      req.rating,
      flag(req.guest),
      req.username,
      MATCHMAKER_STREAM_MAXLEN,
    ],
  )) as [number, number | string];
  if (queued === 1) return { ok: true, since: Number(value) };
  return { ok: false, current: JSON.parse(String(value)) as StoredLiveState };
}

/** Takes a queued user out of the queue; false when the user was not queued. */
export async function cancelQueue(ctx: Ctx, userId: string): Promise<boolean> {
  // The pool comes from the state read first; the script re-checks it, and a state that changed
  // in between (a wave paired the user) is read again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const state = await getStoredLiveState(ctx, userId);
    if (state.status !== "queued") return false;
    const pool = state.timeControl;
    const reply = (await cancelQueueScript.run(
      ctx.redis,
      [
        ctx.keys.live(userId),
        ctx.keys.queue(pool, state.rated),
        ctx.keys.queueEntries(pool, state.rated),
      ],
      [userId, pool, flag(state.rated)],
    )) as string;
    if (reply !== "RETRY") return reply === "OK";
  }
  return false;
}

/** Every entry of one pool's queue, as the pairing wave reads it. */
export async function readQueue(
  ctx: Ctx,
  pool: string,
  rated: boolean,
): Promise<({ id: string } & QueueEntry)[]> {
  const raw = await ctx.redis.hGetAll(ctx.keys.queueEntries(pool, rated));
  return Object.entries(raw).map(([id, json]) => ({ id, ...(JSON.parse(json) as QueueEntry) }));
}

/** Redis TIME in ms: the clock every instance agrees on. */
export async function redisNowMs(ctx: Ctx): Promise<number> {
  const [seconds, micros] = await ctx.redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** Proposes a match to two queued players; null when either has left the queue meanwhile. */
export async function createProposal(
  ctx: Ctx,
  pair: { a: string; b: string; matchId: string; pool: string; rated: boolean; proposalMs: number },
): Promise<StoredProposal | null> {
  const k = ctx.keys;
  const { a, b, pool, rated } = pair;
  const reply = (await pairScript.run(
    ctx.redis,
    [
      k.queue(pool, rated),
      k.queueEntries(pool, rated),
      k.live(a),
      k.live(b),
      k.proposal(pair.matchId),
      k.deadlinesOf(pair.matchId),
    ],
    [a, b, pair.matchId, pool, flag(rated), pair.proposalMs, k.userEvents(a), k.userEvents(b)],
  )) as [string, string?];
  return reply[0] === "OK" ? (JSON.parse(reply[1]!) as StoredProposal) : null;
}

export async function loadProposal(ctx: Ctx, matchId: string): Promise<StoredProposal | null> {
  const raw = await ctx.redis.get(ctx.keys.proposal(matchId));
  return raw === null ? null : (JSON.parse(raw) as StoredProposal);
}

export function playerIds(proposal: StoredProposal): [string, string] {
  const [a, b] = Object.keys(proposal.players);
  return [a!, b!];
}

/**
 * The game to create once both have accepted: its id, hash fields, FIRST_MOVE_MS, and the
 * client/START_GAME the creating step publishes ("$NOW" where Redis TIME goes).
 */
export interface PreparedGame {
  gameId: string;
  fields: string[];
  firstMoveMs: number;
  startEvent: string;
}

export type AcceptReply =
  { code: "STARTED"; gameId: string } | { code: "WAITING" | "NEED_GAME" | "UNKNOWN_MATCH" };

/**
 * Marks `userId`'s acceptance ("" marks nothing) and, when both have accepted and `game` is
 * given, creates the game in the same step.
 */
export async function acceptMatchup(
  ctx: Ctx,
  proposal: StoredProposal,
  userId: string,
  game: PreparedGame | null,
): Promise<AcceptReply> {
  const [a, b] = playerIds(proposal);
  const k = ctx.keys;
  const gameId = game?.gameId ?? "";
  const reply = (await acceptScript.run(
    ctx.redis,
    [
      k.proposal(proposal.matchId),
      k.live(a),
      k.live(b),
      k.game(gameId),
      k.deadlinesOf(gameId),
      k.liveGames,
      k.deadlinesOf(proposal.matchId),
    ],
    [
      proposal.matchId,
      userId,
      a,
      b,
      gameId,
      game?.firstMoveMs ?? 0,
      k.userEvents(a),
      k.userEvents(b),
      ...(game ? [game.startEvent, ...game.fields] : []),
    ],
  )) as [AcceptReply["code"], string?];
  return reply[0] === "STARTED" ? { code: "STARTED", gameId: reply[1]! } : { code: reply[0] };
}

export type CancelReply =
  | { code: "CANCELLED"; requeued: Record<string, boolean> }
  | { code: "UNKNOWN_MATCH" | "NOT_DUE" | "ALL_ACCEPTED" };

/** Ends a proposal without a game: declined by `userId`, or expired (`userId` ""). */
export async function cancelMatchup(
  ctx: Ctx,
  proposal: StoredProposal,
  reason: "declined" | "expired",
  userId: string,
): Promise<CancelReply> {
  const [a, b] = playerIds(proposal);
  const k = ctx.keys;
  const pool = proposal.timeControl;
  const reply = (await cancelMatchupScript.run(
    ctx.redis,
    [
      k.proposal(proposal.matchId),
      k.live(a),
      k.live(b),
      k.queue(pool, proposal.rated),
      k.queueEntries(pool, proposal.rated),
      k.deadlinesOf(proposal.matchId),
    ],
    [proposal.matchId, reason, userId, a, b, k.userEvents(a), k.userEvents(b)],
  )) as [CancelReply["code"], number?, number?];
  if (reply[0] !== "CANCELLED") return { code: reply[0] };
  return { code: "CANCELLED", requeued: { [a]: reply[1] === 1, [b]: reply[2] === 1 } };
}
