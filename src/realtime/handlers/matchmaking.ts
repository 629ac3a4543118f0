// Socket handlers of matchmaking: join and leave a queue, answer a proposal. Every ack that
// succeeds carries the user's new live state (`state`, as in client/RESUME_SESSION).
import type { IoSocket as Socket } from "../io.js";
import type { AppContext } from "../../context.js";
import { parseTimeControl } from "../../domain/time-control.js";
import { prepareGame, startMatchedGame } from "../../jobs/matchups.js";
import { pairSoon } from "../../jobs/pairing-waves.js";
import { AppError } from "../../protocol/errors.js";
import type { LiveState } from "../../protocol/types.js";
import { getLiveState, getStoredLiveState, proposalFor } from "../../store/live-state.js";
import {
  acceptMatchup,
  cancelMatchup,
  cancelQueue,
  enqueue,
  loadProposal,
} from "../../store/matchmaking.js";
import { loadGlicko } from "../../store/users.js";
import { emitTo, type Handler } from "../dispatch.js";
import { lapseAfter } from "./rematch.js";

/** client/ALREADY_IN_QUEUE to the asking socket only, then the refusal of its request. */
async function refuseBusy(app: AppContext, socket: Socket, userId: string): Promise<never> {
  const state = await getLiveState(app, userId);
  emitTo(socket, { type: "client/ALREADY_IN_QUEUE", payload: { state } });
  throw new AppError("ALREADY_IN_QUEUE");
}

export const startMatchmaking: Handler<"server/START_MATCHMAKING"> = async (ctx, payload) => {
  const { app, socket, user } = ctx;
  const rated = payload.rated ?? false;
  if (rated && user.guest) throw new AppError("GUEST_RATED");
  // A cheap look first, so a busy user costs no MongoDB read; the script decides.
  if ((await getStoredLiveState(app, user.userId)).status !== "idle") {
    return refuseBusy(app, socket, user.userId);
  }
  const timeControl = parseTimeControl(payload.timeControl);
  if (timeControl === null) throw new AppError("INVALID_INPUT");
  const rating = user.guest ? 1500 : (await loadGlicko(app, user.userId, timeControl.speed)).rating;
  const result = await enqueue(app, {
    userId: user.userId,
    username: user.username,
    guest: user.guest,
    pool: payload.timeControl,
    rated,
    autoAccept: payload.autoAccept ?? false,
    rating,
  });
  if (!result.ok) return refuseBusy(app, socket, user.userId);
  await lapseAfter(ctx);
  // After the ack is written (the handler's return value is sent in this same tick).
  setImmediate(() => pairSoon(app, payload.timeControl, rated));
  const state: LiveState = {
    status: "queued",
    timeControl: payload.timeControl,
    rated,
    since: result.since,
  };
  return { state };
};

export const cancelMatchmaking: Handler<"server/CANCEL_MATCHMAKING"> = async ({ app, user }) => {
  if (!(await cancelQueue(app, user.userId))) throw new AppError("NOT_IN_QUEUE");
  const state: LiveState = { status: "idle" };
  return { state };
};

export const replyMatchup: Handler<"server/REPLY_MATCHUP"> = async ({ app, user }, payload) => {
  const proposal = await loadProposal(app, payload.matchId);
  if (proposal === null || proposal.players[user.userId] === undefined) {
    throw new AppError("UNKNOWN_MATCH");
  }
  if (!payload.accept) {
    const reply = await cancelMatchup(app, proposal, "declined", user.userId);
    if (reply.code !== "CANCELLED") throw new AppError("UNKNOWN_MATCH");
    return { state: { status: "idle" } satisfies LiveState };
  }
  // The game is prepared beforehand only when this acceptance should complete the proposal.
  const othersAccepted = Object.entries(proposal.players).every(
    ([id, p]) => id === user.userId || p.accepted,
  );
  const game = othersAccepted ? await prepareGame(app, proposal) : null;
  const reply = await acceptMatchup(app, proposal, user.userId, game);
  switch (reply.code) {
    case "UNKNOWN_MATCH":
      throw new AppError("UNKNOWN_MATCH");
    case "STARTED":
      return { state: { status: "playing", gameId: reply.gameId } satisfies LiveState };
    case "NEED_GAME":
      // The other side accepted between our read and our script: start the game now.
      await startMatchedGame(app, proposal);
      return { state: await getLiveState(app, user.userId) };
    case "WAITING": {
      const accepted = proposalFor(proposal, user.userId);
      return {
        state: (accepted
          ? { status: "proposed", proposal: accepted }
          : { status: "idle" }) satisfies LiveState,
      };
    }
  }
};
