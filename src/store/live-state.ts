// A user's live state (idle, queued, proposed, playing), shared by every session of the user.
// Transitions are written by the Lua scripts of matchmaking and games; this module reads, and
// frees a user still `playing` a game that is over (the game's follow-up, store/game-end.ts).
import type { AppContext } from "../context.js";
import type { LiveState, Proposal } from "../protocol/types.js";
import { freeIfOver } from "./game-end.js";

/** What Redis holds under the user's live key (JSON). */
export type StoredLiveState =
  | { status: "idle" }
  | { status: "queued"; timeControl: string; rated: boolean; since: number; autoAccept: boolean }
  | {
      status: "proposed";
      matchId: string;
      timeControl: string;
      rated: boolean;
      since: number;
      autoAccept: boolean;
    }
  | { status: "playing"; gameId: string };

/** What Redis holds under a proposal's key (JSON). */
export interface StoredProposal {
  matchId: string;
  timeControl: string;
  rated: boolean;
  expiresAt: number;
  players: Record<
    string,
    {
      username: string;
      /** Rounded, as the opponent sees it; also the rating a requeued player is paired with. */
      rating: number;
      accepted: boolean;
      autoAccept: boolean;
      since: number;
      /** Kept so that a guest sent back to the queue is still paired as a guest. */
      guest?: boolean;
    }
  >;
}

type Ctx = Pick<AppContext, "redis" | "keys">;

/**
 * The user's live state; a user `playing` a game that is over is freed first and read again
 * (the game's end frees its players in a step of their own, which may not have run yet).
 */
export async function getStoredLiveState(ctx: Ctx, userId: string): Promise<StoredLiveState> {
  const raw = await ctx.redis.get(ctx.keys.live(userId));
  if (raw === null) return { status: "idle" };
  const state = JSON.parse(raw) as StoredLiveState;
  if (!(await freeIfOver(ctx, userId, state))) return state;
  const now = await ctx.redis.get(ctx.keys.live(userId)); // idle, or whatever came since
  return now === null ? { status: "idle" } : (JSON.parse(now) as StoredLiveState);
}

/** The proposal as one of its players sees it: the other player is the opponent. */
export function proposalFor(stored: StoredProposal, userId: string): Proposal | null {
  const opponentId = Object.keys(stored.players).find((id) => id !== userId);
  const opponent = opponentId === undefined ? undefined : stored.players[opponentId];
  if (opponent === undefined || stored.players[userId] === undefined) return null;
  return {
    matchId: stored.matchId,
    timeControl: stored.timeControl,
    rated: stored.rated,
    opponent: { username: opponent.username, rating: opponent.rating },
    expiresAt: stored.expiresAt,
  };
}

/** The live state in its wire shape, with the pending proposal when there is one. */
export async function getLiveState(ctx: Ctx, userId: string): Promise<LiveState> {
  const stored = await getStoredLiveState(ctx, userId);
  switch (stored.status) {
    case "idle":
      return { status: "idle" };
    case "queued":
      return {
        status: "queued",
        timeControl: stored.timeControl,
        rated: stored.rated,
        since: stored.since,
      };
    case "playing":
      return { status: "playing", gameId: stored.gameId };
    case "proposed": {
      const raw = await ctx.redis.get(ctx.keys.proposal(stored.matchId));
      const proposal = raw === null ? null : proposalFor(JSON.parse(raw) as StoredProposal, userId);
      return proposal === null ? { status: "idle" } : { status: "proposed", proposal };
    }
  }
}
