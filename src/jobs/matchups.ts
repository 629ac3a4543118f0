// What follows a matchmaking transition, whichever instance made it: telling both players (through
// their user rooms, so every socket on every instance hears it), starting the game once both
// have accepted, and the expiry of a proposal (a deadline of kind "proposal").
import { randomInt } from "node:crypto";
import type { AppContext } from "../context.js";
import { parseTimeControl } from "../domain/time-control.js";
import type { GamePlayer, ServerAction } from "../protocol/types.js";
import { loadGame, newGameFields } from "../store/game-store.js";
import { newId } from "../store/ids.js";
import { rooms } from "../store/keys.js";
import { proposalFor, type StoredProposal } from "../store/live-state.js";
import {
  acceptMatchup,
  cancelMatchup,
  loadProposal,
  playerIds,
  type PreparedGame,
} from "../store/matchmaking.js";
import { DEFAULT_VOLATILITY, loadGlicko, type Glicko } from "../store/users.js";

export function emitToUser(ctx: AppContext, userId: string, action: ServerAction): void {
  ctx.io?.to(rooms.user(userId)).emit("action", action);
}

/** Both players hear of their new proposal, each with the other as opponent. */
export function announceProposal(ctx: AppContext, proposal: StoredProposal): void {
  for (const id of playerIds(proposal)) {
    const payload = proposalFor(proposal, id);
    if (payload !== null) emitToUser(ctx, id, { type: "client/PROPOSE_MATCHUP", payload });
  }
}

export function announceCancelled(
  ctx: AppContext,
  proposal: StoredProposal,
  reason: "declined" | "expired",
  requeued: Record<string, boolean>,
): void {
  for (const id of playerIds(proposal)) {
    emitToUser(ctx, id, {
      type: "client/MATCHUP_CANCELLED",
      payload: { matchId: proposal.matchId, reason, requeued: requeued[id] === true },
    });
  }
}

const GUEST_GLICKO: Glicko = { rating: 1500, deviation: 350, volatility: DEFAULT_VOLATILITY };

/**
 * The game both players of `proposal` will play: colours drawn at random, ratings for the pool's
 * speed (guests have no account to read), Glicko kept only when the game is rated.
 */
export async function prepareGame(
  ctx: AppContext,
  proposal: StoredProposal,
): Promise<PreparedGame> {
  const timeControl = parseTimeControl(proposal.timeControl);
  if (timeControl === null) throw new Error(`bad time control in proposal ${proposal.matchId}`);
  const [a, b] = playerIds(proposal);
  const glicko = (id: string) =>
    proposal.players[id]!.guest
      ? Promise.resolve(GUEST_GLICKO)
      : loadGlicko(ctx, id, timeControl.speed);
  const [glickoA, glickoB] = await Promise.all([glicko(a), glicko(b)]);
  const player = (id: string, g: Glicko): GamePlayer => ({
    id,
    username: proposal.players[id]!.username,
    rating: Math.round(g.rating),
  });
  const aIsWhite = randomInt(2) === 0;
  const [white, black] = aIsWhite ? [a, b] : [b, a];
  const [whiteG, blackG] = aIsWhite ? [glickoA, glickoB] : [glickoB, glickoA];
  const gameId = newId();
  const fields = newGameFields({
    id: gameId,
    rated: proposal.rated,
    timeControl,
    white: player(white, whiteG),
    black: player(black, blackG),
    whiteGlicko: proposal.rated ? whiteG : null,
    blackGlicko: proposal.rated ? blackG : null,
  });
  return { gameId, fields, firstMoveMs: ctx.config.FIRST_MOVE_MS };
}

/** Both players' sockets join the game's room, then both get client/START_GAME. */
export async function announceGame(
  ctx: AppContext,
  proposal: StoredProposal,
  gameId: string,
): Promise<void> {
  const game = await loadGame(ctx, gameId);
  if (game === null) return;
  for (const id of playerIds(proposal)) {
    ctx.io?.in(rooms.user(id)).socketsJoin(rooms.game(gameId));
  }
  for (const id of playerIds(proposal))
    emitToUser(ctx, id, { type: "client/START_GAME", payload: { game } });
}

/** Starts the game of a proposal both players have accepted; false when it no longer stands. */
export async function startMatchedGame(
  ctx: AppContext,
  proposal: StoredProposal,
): Promise<boolean> {
  const game = await prepareGame(ctx, proposal);
  const reply = await acceptMatchup(ctx, proposal, "", game);
  if (reply.code !== "STARTED") return false;
  await announceGame(ctx, proposal, reply.gameId);
  return true;
}

/**
 * The deadline of a proposal: once its `expiresAt` has passed, whoever had accepted goes back to
 * the queue and the other becomes idle. A proposal both accepted (its starter died between the
 * two steps) starts its game instead. Safe to run twice, or early: the script re-checks.
 */
export async function expireProposal(ctx: AppContext, matchId: string): Promise<void> {
  const proposal = await loadProposal(ctx, matchId);
  if (proposal === null) return;
  const reply = await cancelMatchup(ctx, proposal, "expired", "");
  if (reply.code === "CANCELLED") announceCancelled(ctx, proposal, "expired", reply.requeued);
  else if (reply.code === "ALL_ACCEPTED") await startMatchedGame(ctx, proposal);
}
