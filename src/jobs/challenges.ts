// What follows a challenge, whichever instance handles it: the game an acceptance starts (colours
// as the challenger asked, or drawn), and the expiry of an unanswered challenge (a deadline of kind
// "challenge"), which runs with nobody connected. The scripts publish the lobby events themselves.
import { randomInt } from "node:crypto";
import type { AppContext } from "../context.js";
import { parseTimeControl } from "../domain/time-control.js";
import { cancelChallenge, loadChallenge, type StoredChallenge } from "../store/challenges.js";
import type { PreparedGame } from "../store/matchmaking.js";
import { prepareGameOf, type Seat } from "./matchups.js";

/** The game `acceptor` plays against the challenger of `challenge`. */
export async function prepareChallengeGame(
  ctx: AppContext,
  challenge: StoredChallenge,
  acceptor: Seat,
): Promise<PreparedGame> {
  const timeControl = parseTimeControl(challenge.timeControl);
  if (timeControl === null) throw new Error(`bad time control in challenge ${challenge.id}`);
  const challenger: Seat = challenge.from;
  const color =
    challenge.color === "random" ? (randomInt(2) === 0 ? "white" : "black") : challenge.color;
  const [white, black] = color === "white" ? [challenger, acceptor] : [acceptor, challenger];
  return prepareGameOf(ctx, { timeControl, rated: challenge.rated, white, black });
}

/**
 * The deadline of a challenge: once its `expiresAt` has passed, it ends and both users get
 * client/CHALLENGE_CANCELLED (reason `expired`). Safe to run twice, or early: the script re-checks.
 */
export async function expireChallenge(ctx: AppContext, challengeId: string): Promise<void> {
  const challenge = await loadChallenge(ctx, challengeId);
  if (challenge !== null) await cancelChallenge(ctx, challenge, "expired", "");
}
