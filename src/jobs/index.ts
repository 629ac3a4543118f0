// Background work that belongs to no instance: each job is claimed in Redis by one live instance.
import type { AppContext } from "../context.js";
import { startDeadlines, type DeadlineHandler } from "./deadlines.js";
import { handleGameDeadline } from "./game-deadline.js";
import { expireProposal } from "./matchups.js";
import { startPairingWaves } from "./pairing-waves.js";

export interface Jobs {
  stop: () => Promise<void>;
}

/** Deadline kinds: the member prefix in the deadline set, and who handles it. */
const deadlineHandlers: Record<string, DeadlineHandler> = {
  game: handleGameDeadline,
  proposal: expireProposal,
};

export function startJobs(ctx: AppContext): Jobs {
  const deadlines = startDeadlines(ctx, deadlineHandlers, { pollMs: ctx.config.DEADLINE_POLL_MS });
  const waves = startPairingWaves(ctx);
  return {
    stop: async () => {
      await waves.stop();
      await deadlines.stop();
    },
  };
}
