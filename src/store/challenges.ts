// Challenges in Redis: one JSON string per open challenge, each user's open challenges made and
// received (sorted sets scored by expiresAt), and the expiry on the deadline set. Opening, taking
// and ending one are each one Lua script that publishes its lobby events in the same step.
import type { AppContext } from "../context.js";
import type { Challenge } from "../protocol/types.js";
import type { StoredLiveState } from "./live-state.js";
import { redisNowMs, type PreparedGame } from "./matchmaking.js";
import { LuaScript } from "./lua-script.js";

const createScript = LuaScript.load("create-challenge-5");
const acceptScript = LuaScript.load("accept-challenge-13", ["game-created"]);
const cancelScript = LuaScript.load("cancel-challenge-4");

/** How many open challenges one user may have made at once. */
export const MAX_OPEN_CHALLENGES = 20;

type Ctx = Pick<AppContext, "redis" | "keys">;

/** What Redis holds under a challenge's key (JSON): the wire shape plus the users' ids. */
export interface StoredChallenge {
  id: string;
  from: { id: string; username: string; rating: number; guest: boolean };
  to: { id: string; username: string } | null;
  timeControl: string;
  rated: boolean;
  color: Challenge["color"];
  expiresAt: number;
}

export function challengeView(c: StoredChallenge): Challenge {
  return {
    id: c.id,
    from: { username: c.from.username, rating: c.from.rating },
    to: c.to?.username ?? null,
    timeControl: c.timeControl,
    rated: c.rated,
    color: c.color,
    expiresAt: c.expiresAt,
  };
}

/** Stands for Redis TIME + CHALLENGE_MS in what the creating script stores and publishes. */
const EXPIRES = "$EXPIRES";

export type CreateReply =
  { code: "OK"; challenge: StoredChallenge } | { code: "BUSY" | "TOO_MANY" };

/** Opens `challenge` (its `expiresAt` is set by the script) unless the challenger is busy. */
export async function createChallenge(
  ctx: Ctx,
  challenge: Omit<StoredChallenge, "expiresAt">,
  challengeMs: number,
): Promise<CreateReply> {
  const k = ctx.keys;
  const byKey = k.userChallenges(challenge.from.id, "by");
  const withStamp = { ...challenge, expiresAt: EXPIRES };
  const view = { ...challengeView({ ...challenge, expiresAt: 0 }), expiresAt: EXPIRES };
  const event = { type: "client/CHALLENGE", payload: { challenge: view } };
  const reply = (await createScript.run(
    ctx.redis,
    [
      k.live(challenge.from.id),
      k.challenge(challenge.id),
      byKey,
      challenge.to ? k.userChallenges(challenge.to.id, "to") : byKey,
      k.deadlinesOf(challenge.id),
    ],
    [
      challenge.id,
      JSON.stringify(withStamp),
      JSON.stringify(event),
      challengeMs,
      MAX_OPEN_CHALLENGES,
      k.userEvents(challenge.from.id),
      challenge.to ? k.userEvents(challenge.to.id) : "",
    ],
  )) as [string, number?];
  if (reply[0] !== "OK") return { code: reply[0] as "BUSY" | "TOO_MANY" };
  return { code: "OK", challenge: { ...challenge, expiresAt: Number(reply[1]) } };
}

export async function loadChallenge(
  ctx: Ctx,
  challengeId: string,
): Promise<StoredChallenge | null> {
  const raw = await ctx.redis.get(ctx.keys.challenge(challengeId));
  return raw === null ? null : (JSON.parse(raw) as StoredChallenge);
}

/** The open challenges made by or addressed to the user, oldest first (RESUME_SESSION). */
export async function listChallenges(ctx: Ctx, userId: string): Promise<Challenge[]> {
  const k = ctx.keys;
  const [by, to, nowMs] = await Promise.all([
    ctx.redis.zRange(k.userChallenges(userId, "by"), 0, -1),
    ctx.redis.zRange(k.userChallenges(userId, "to"), 0, -1),
    redisNowMs(ctx),
  ]);
  const ids = [...new Set([...by, ...to])];
  if (ids.length === 0) return [];
  const raws = await ctx.redis.mGet(ids.map((id) => k.challenge(id)));
  return (
    raws
      .filter((raw): raw is string => raw !== null)
      .map((raw) => JSON.parse(raw) as StoredChallenge)
      // Past its expiresAt a challenge is no longer open, even before its expiry has run.
      .filter((c) => c.expiresAt > nowMs)
      .sort((a, b) => a.expiresAt - b.expiresAt)
      .map(challengeView)
  );
}

/** The queue a live state holds its user in, as the accept script compares it ("" = none). */
function queueOf(state: StoredLiveState): { label: string; pool: string; rated: boolean } | null {
  if (state.status !== "queued") return null;
  return {
    label: `${state.timeControl}:${state.rated ? "1" : "0"}`,
    pool: state.timeControl,
    rated: state.rated,
  };
}

export type AcceptChallengeReply =
  | { code: "STARTED"; gameId: string }
  | { code: "UNKNOWN_CHALLENGE" | "NOT_YOUR_GAME" | "BUSY" | "RETRY" };

/**
 * Takes the challenge for `acceptorId` and starts `game` in the same step. The live states are
 * those the caller read: a queued player leaves that queue; any other change answers RETRY.
 */
export async function acceptChallenge(
  ctx: Ctx,
  challenge: StoredChallenge,
  acceptorId: string,
  states: { challenger: StoredLiveState; acceptor: StoredLiveState },
  game: PreparedGame,
): Promise<AcceptChallengeReply> {
  const k = ctx.keys;
  const from = challenge.from.id;
  const queueKeys = (userId: string, state: StoredLiveState) => {
    const q = queueOf(state);
    return q
      ? [k.queue(q.pool, q.rated), k.queueEntries(q.pool, q.rated)]
      : [k.live(userId), k.live(userId)];
  };
  const reply = (await acceptScript.run(
    ctx.redis,
    [
      k.challenge(challenge.id),
      k.live(from),
      k.live(acceptorId),
      k.game(game.gameId),
      k.deadlinesOf(game.gameId),
      k.userChallenges(from, "by"),
      k.userChallenges(acceptorId, "to"),
      ...queueKeys(from, states.challenger),
      ...queueKeys(acceptorId, states.acceptor),
      k.liveGames,
      k.deadlinesOf(challenge.id),
    ],
    [
      challenge.id,
      from,
      acceptorId,
      game.gameId,
      game.firstMoveMs,
      k.userEvents(from),
      k.userEvents(acceptorId),
      queueOf(states.challenger)?.label ?? "",
      queueOf(states.acceptor)?.label ?? "",
      game.startEvent,
      ...game.fields,
    ],
  )) as [AcceptChallengeReply["code"], string?];
  return reply[0] === "STARTED" ? { code: "STARTED", gameId: reply[1]! } : { code: reply[0] };
}

export type CancelChallengeReply = {
  code: "CANCELLED" | "UNKNOWN_CHALLENGE" | "NOT_YOUR_GAME" | "NOT_DUE";
};

/** Ends a challenge without a game: declined or cancelled by `userId`, or expired (`userId` ""). */
export async function cancelChallenge(
  ctx: Ctx,
  challenge: StoredChallenge,
  reason: "declined" | "cancelled" | "expired",
  userId: string,
): Promise<CancelChallengeReply> {
  const k = ctx.keys;
  const byKey = k.userChallenges(challenge.from.id, "by");
  const reply = (await cancelScript.run(
    ctx.redis,
    [
      k.challenge(challenge.id),
      byKey,
      challenge.to ? k.userChallenges(challenge.to.id, "to") : byKey,
      k.deadlinesOf(challenge.id),
    ],
    [
      challenge.id,
      reason,
      userId,
      k.userEvents(challenge.from.id),
      challenge.to ? k.userEvents(challenge.to.id) : "",
    ],
  )) as [CancelChallengeReply["code"]];
  return { code: reply[0] };
}
