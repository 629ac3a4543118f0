// Background work that belongs to no instance: each job is claimed in Redis by one live instance.
import type { AppContext } from "../context.js";
import { startArchiver } from "./archiver.js";
import { expireChallenge } from "./challenges.js";
import { startDeadlines, type DeadlineHandler } from "./deadlines.js";
import { handleGameDeadline } from "./game-deadline.js";
import { ENDED_KIND, finishEndedGame } from "../store/game-end.js";
import { expireProposal } from "./matchups.js";
import { startPairingWaves } from "./pairing-waves.js";

export interface Jobs {
  stop: () => Promise<void>;
}

/** What the jobs report as they go (the instance counts it in its metrics). */
export interface JobEvents {
  archiveDeadLetter: () => void;
}

/** Deadline kinds: the member prefix in the deadline set, and who handles it. */
const deadlineHandlers: Record<string, DeadlineHandler> = {
  game: handleGameDeadline,
  proposal: expireProposal,
  challenge: expireChallenge,
  [ENDED_KIND]: finishEndedGame,
};

export function startJobs(ctx: AppContext, events: JobEvents): Jobs {
  const deadlines = startDeadlines(ctx, deadlineHandlers, { pollMs: ctx.config.DEADLINE_POLL_MS });
  const waves = startPairingWaves(ctx);
  const archiver = startArchiver(ctx, {
    claimIdleMs: ctx.config.ARCHIVE_CLAIM_IDLE_MS,
    graceS: ctx.config.ARCHIVE_GRACE_S,
    maxDeliveries: ctx.config.ARCHIVE_MAX_DELIVERIES,
    onDeadLetter: events.archiveDeadLetter,
    pauseAt: ctx.config.ARCHIVE_TEST_PAUSE,
  });
  return {
    stop: async () => {
      await archiver.stop();
      await waves.stop();
      await deadlines.stop();
    },
  };
}
