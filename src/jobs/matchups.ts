// What follows a matchmaking transition, whichever instance made it: starting the game once both
// have accepted, and the expiry of a proposal (a deadline of kind "proposal"). The scripts of each
// step publish its lobby events to both players' channels themselves (realtime/user-channels.ts).
import { randomInt } from "node:crypto";
import type { AppContext } from "../context.js";
import { parseTimeControl } from "../domain/time-control.js";
import type { GamePlayer, TimeControl } from "../protocol/types.js";
import { newGameFields, startGameEvent } from "../store/game-store.js";
import { newBucketedId } from "../store/buckets.js";
import type { StoredProposal } from "../store/live-state.js";
import {
  acceptMatchup,
  cancelMatchup,
  loadProposal,
  playerIds,
  type PreparedGame,
} from "../store/matchmaking.js";
import { DEFAULT_VOLATILITY, loadGlicko, type Glicko } from "../store/users.js";

const GUEST_GLICKO: Glicko = { rating: 1500, deviation: 350, volatility: DEFAULT_VOLATILITY };

/** A player as a new game seats it: guests have no account, hence no rating to read. */
export interface Seat {
  id: string;
  username: string;
  guest: boolean;
}

/**
 * A new game between `white` and `black`: ratings for the time control's speed, Glicko kept only
 * when the game is rated.
 */
export async function prepareGameOf(
  ctx: AppContext,
  game: { timeControl: TimeControl; rated: boolean; white: Seat; black: Seat },
): Promise<PreparedGame> {
  const { timeControl, rated, white, black } = game;
  const glicko = (seat: Seat) =>
    seat.guest ? Promise.resolve(GUEST_GLICKO) : loadGlicko(ctx, seat.id, timeControl.speed);
  const [whiteG, blackG] = await Promise.all([glicko(white), glicko(black)]);
  const player = (seat: Seat, g: Glicko): GamePlayer => ({
    id: seat.id,
    username: seat.username,
    rating: Math.round(g.rating),
  });
  const gameId = newBucketedId();
  const fields = newGameFields({
    id: gameId,
    rated,
    timeControl,
    white: player(white, whiteG),
    black: player(black, blackG),
    whiteGlicko: rated ? whiteG : null,
    blackGlicko: rated ? blackG : null,
  });
  return {
    gameId,
    fields,
    firstMoveMs: ctx.config.FIRST_MOVE_MS,
    startEvent: startGameEvent(fields),
  };
}

/** The game both players of `proposal` will play, colours drawn at random. */
export async function prepareGame(
  ctx: AppContext,
  proposal: StoredProposal,
): Promise<PreparedGame> {
  const timeControl = parseTimeControl(proposal.timeControl);
  if (timeControl === null) throw new Error(`bad time control in proposal ${proposal.matchId}`);
  const seats = playerIds(proposal).map((id) => {
    const p = proposal.players[id]!;
    return { id, username: p.username, guest: p.guest ?? false };
  });
  const [white, black] = randomInt(2) === 0 ? seats : seats.reverse();
  return prepareGameOf(ctx, { timeControl, rated: proposal.rated, white: white!, black: black! });
}

/** Starts the game of a proposal both players have accepted; false when it no longer stands. */
export async function startMatchedGame(
  ctx: AppContext,
  proposal: StoredProposal,
): Promise<boolean> {
  const game = await prepareGame(ctx, proposal);
  const reply = await acceptMatchup(ctx, proposal, "", game);
  return reply.code === "STARTED";
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
  if (reply.code === "ALL_ACCEPTED") await startMatchedGame(ctx, proposal);
}
