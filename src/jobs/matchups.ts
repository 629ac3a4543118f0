// What follows a matchmaking transition, whichever instance made it: starting the game once both
// have accepted, and the expiry of a proposal (a deadline of kind "proposal"). The scripts of each
// step publish its lobby events to both players' channels themselves (realtime/user-channels.ts).
import { randomInt } from "node:crypto";
import type { AppContext } from "../context.js";
import { parseTimeControl } from "../domain/time-control.js";
import type { GamePlayer } from "../protocol/types.js";
import { newGameFields, startGameEvent } from "../store/game-store.js";
import { newId } from "../store/ids.js";
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
  return {
    gameId,
    fields,
    firstMoveMs: ctx.config.FIRST_MOVE_MS,
    startEvent: startGameEvent(fields),
  };
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
