// Socket handlers of challenges: open one (to a user, or by link), accept, decline, cancel. Each
// is one script that publishes its own lobby events; a handler only reads what the script needs
// and turns its reply into an ack or a refusal.
import { parseTimeControl } from "../../domain/time-control.js";
import { prepareChallengeGame } from "../../jobs/challenges.js";
import { AppError } from "../../protocol/errors.js";
import type { LiveState } from "../../protocol/types.js";
import {
  acceptChallenge,
  cancelChallenge,
  challengeView,
  createChallenge,
  loadChallenge,
  type StoredChallenge,
} from "../../store/challenges.js";
import { findUserByName } from "../../store/game-history.js";
import { findGuestByName, isGuestName } from "../../store/guests.js";
import { newId } from "../../store/ids.js";
import { getStoredLiveState, type StoredLiveState } from "../../store/live-state.js";
import { loadGlicko } from "../../store/users.js";
import type { ActionContext, Handler } from "../dispatch.js";
import { lapseAfter } from "./rematch.js";

/** Acceptances that lose to a concurrent queue change are tried again; more is a real fault. */
const MAX_ATTEMPTS = 5;

const busy = (s: StoredLiveState) => s.status === "proposed" || s.status === "playing";

/** The addressee named by `to`: an account, or a guest by its generated name; not oneself. */
async function addressee(ctx: ActionContext, to: string): Promise<StoredChallenge["to"]> {
  const self = new AppError("INVALID_INPUT", "You cannot challenge yourself.");
  if (to.toLowerCase() === ctx.user.username.toLowerCase()) throw self;
  let found: StoredChallenge["to"] = null;
  if (isGuestName(to)) found = await findGuestByName(ctx.app, to);
  else {
    const doc = await findUserByName(ctx.app, to);
    if (doc !== null) found = { id: doc._id, username: doc.username };
  }
  if (found === null) throw new AppError("NOT_FOUND", "No such user.");
  if (found.id === ctx.user.userId) throw self;
  return found;
}

const createChallengeHandler: Handler<"server/CREATE_CHALLENGE"> = async (ctx, payload) => {
  const { app, user } = ctx;
  const rated = payload.rated ?? false;
  if (rated && user.guest) throw new AppError("GUEST_RATED");
  const timeControl = parseTimeControl(payload.timeControl);
  if (timeControl === null) throw new AppError("INVALID_INPUT");
  const to = payload.to == null ? null : await addressee(ctx, payload.to);
  // A cheap look first, so a busy user costs no MongoDB read; the script decides.
  if (busy(await getStoredLiveState(app, user.userId))) throw new AppError("BUSY");
  const rating = user.guest ? 1500 : (await loadGlicko(app, user.userId, timeControl.speed)).rating;
  const reply = await createChallenge(
    app,
    {
      id: newId(),
      from: {
        id: user.userId,
        username: user.username,
        rating: Math.round(rating),
        guest: user.guest,
      },
      to,
      timeControl: payload.timeControl,
      rated,
      color: payload.color ?? "random",
    },
    app.config.CHALLENGE_MS,
  );
  if (reply.code !== "OK") {
    if (reply.code === "BUSY") throw new AppError("BUSY");
    throw new AppError("RATE_LIMITED", "Too many open challenges; cancel one first.");
  }
  await lapseAfter(ctx);
  return { challenge: challengeView(reply.challenge) };
};

async function openChallenge(ctx: ActionContext, challengeId: string): Promise<StoredChallenge> {
  const challenge = await loadChallenge(ctx.app, challengeId);
  if (challenge === null) throw new AppError("UNKNOWN_CHALLENGE");
  return challenge;
}

const acceptChallengeHandler: Handler<"server/ACCEPT_CHALLENGE"> = async (ctx, payload) => {
  const { app, user } = ctx;
  const challenge = await openChallenge(ctx, payload.challengeId);
  const from = challenge.from.id;
  if (from === user.userId || (challenge.to !== null && challenge.to.id !== user.userId)) {
    throw new AppError("NOT_YOUR_GAME", "This challenge is not addressed to you.");
  }
  if (challenge.rated && user.guest) throw new AppError("GUEST_RATED");
  const acceptor = { id: user.userId, username: user.username, guest: user.guest };
  const game = await prepareChallengeGame(app, challenge, acceptor);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [challenger, mine] = await Promise.all([
      getStoredLiveState(app, from),
      getStoredLiveState(app, user.userId),
    ]);
    // No BUSY from this read: of two racing acceptors the loser must learn that the challenge is
    // taken (UNKNOWN_CHALLENGE), which only the script, looking at the challenge first, can tell.
    const reply = await acceptChallenge(
      app,
      challenge,
      user.userId,
      { challenger, acceptor: mine },
      game,
    );
    if (reply.code === "STARTED") {
      await lapseAfter(ctx);
      return { state: { status: "playing", gameId: reply.gameId } satisfies LiveState };
    }
    if (reply.code !== "RETRY") throw new AppError(reply.code);
  }
  throw new AppError("INTERNAL", "The players' states changed too often; try again.");
};

function endChallenge(reason: "declined" | "cancelled") {
  const handler: Handler<"server/DECLINE_CHALLENGE" | "server/CANCEL_CHALLENGE"> = async (
    ctx,
    payload,
  ) => {
    const challenge = await openChallenge(ctx, payload.challengeId);
    const reply = await cancelChallenge(ctx.app, challenge, reason, ctx.user.userId);
    if (reply.code === "NOT_YOUR_GAME") {
      const who = reason === "declined" ? "addressee" : "challenger";
      throw new AppError("NOT_YOUR_GAME", `Only the challenge's ${who} may do that.`);
    }
    if (reply.code !== "CANCELLED") throw new AppError("UNKNOWN_CHALLENGE");
  };
  return handler;
}

export const challengeHandlers = {
  "server/CREATE_CHALLENGE": createChallengeHandler,
  "server/ACCEPT_CHALLENGE": acceptChallengeHandler,
  "server/DECLINE_CHALLENGE": endChallenge("declined"),
  "server/CANCEL_CHALLENGE": endChallenge("cancelled"),
};
