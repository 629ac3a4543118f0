// The archiver: every instance reads the archive stream in one consumer group, archives each ended
// game into MongoDB with its rating change, and only then acknowledges the entry. Entries of an
// instance that died are taken over with XAUTOCLAIM; while MongoDB (or Redis) is down, entries stay
// pending and are retried with a capped exponential backoff. Nothing here ever throws out.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import type { AppContext } from "../context.js";
import { archiveGame, type ArchivePause, type ArchivePausePoint } from "../store/archive.js";
import {
  ackArchived,
  claimIdleEntries,
  ensureArchiveGroup,
  leaveArchiveGroup,
  readNewEntries,
  readOwnPending,
  removeIdleConsumers,
  type ArchiveEntry,
} from "../store/archive-queue.js";
import type { Redis } from "../store/redis.js";

export interface ArchiverOptions {
  /** Pending this long with another consumer means its instance died: take the entry over. */
  claimIdleMs: number;
  graceS: number;
  pauseAt?: ArchivePausePoint | "off";
  blockMs?: number;
  count?: number;
  backoffCapMs?: number;
}

const CONSUMER_GONE_MS = 3_600_000;
const CLEANUP_EVERY_MS = 600_000;

/** Unique per process: the pid alone repeats across containers (often 1). */
export const consumerName = (): string =>
  `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

export function startArchiver(
  ctx: AppContext,
  opts: ArchiverOptions,
): { stop: () => Promise<void> } {
  const blockMs = opts.blockMs ?? 1_000;
  const count = opts.count ?? 50;
  const backoffCapMs = opts.backoffCapMs ?? 4_000;
  const claimEveryMs = Math.min(Math.max(opts.claimIdleMs / 2, 100), 10_000);
  const consumer = consumerName();
  // Blocking reads need a connection of their own; the archiver does all its Redis work on it.
  const reader = ctx.redis.duplicate() as Redis;
  reader.on("error", (err: Error) =>
    ctx.log.debug({ err: err.message }, "archiver redis connection error"),
  );
  const store = { ...ctx, redis: reader };
  const stopping = new AbortController();
  const log = ctx.log.child({ job: "archiver", consumer });

  let groupReady = false;
  let ownPending = false;
  let claimCursor = "0-0";
  let nextClaimAt = 0;
  let nextCleanupAt = Date.now() + CLEANUP_EVERY_MS;

  const pause: ArchivePause | undefined =
    opts.pauseAt && opts.pauseAt !== "off"
      ? async (point) => {
          if (point !== opts.pauseAt) return;
          log.warn({ point }, "archiver paused (ARCHIVE_TEST_PAUSE)");
          await new Promise((resolve) =>
            stopping.signal.addEventListener("abort", resolve, { once: true }),
          );
          throw new Error("stopped while paused");
        }
      : undefined;

  const handle = async (entry: ArchiveEntry) => {
    let archived: string | null = null;
    if (entry.gameId === null) {
      log.error({ entryId: entry.entryId }, "archive entry without a game id; dropped");
    } else {
      const outcome = await archiveGame(store, entry.gameId, pause);
      if (outcome === "archived") archived = entry.gameId;
      else log.error({ gameId: entry.gameId, outcome }, "archive entry for no ended game; dropped");
    }
    await ackArchived(store, entry.entryId, archived, opts.graceS);
  };

  /** What to work on: own retries first, then entries of dead consumers, then new ones. */
  const nextEntries = async (): Promise<ArchiveEntry[]> => {
    if (ownPending) {
      const mine = await readOwnPending(store, consumer, count);
      if (mine.length > 0) return mine;
      ownPending = false;
    }
    if (Date.now() >= nextClaimAt) {
      const claimed = await claimIdleEntries(store, consumer, opts.claimIdleMs, claimCursor, count);
      claimCursor = claimed.next;
      if (claimCursor === "0-0") nextClaimAt = Date.now() + claimEveryMs;
      if (claimed.entries.length > 0) {
        log.info(
          { entries: claimed.entries.length },
          "took over archive entries of a dead consumer",
        );
        return claimed.entries;
      }
    }
    return readNewEntries(store, consumer, count, blockMs);
  };

  const step = async () => {
    if (!reader.isOpen) await reader.connect();
    if (!groupReady) {
      await ensureArchiveGroup(store);
      groupReady = true;
    }
    const entries = await nextEntries();
    // Until they are all done, a failure leaves entries pending with this consumer: retry them first.
    ownPending = entries.length > 0;
    for (const entry of entries) {
      if (stopping.signal.aborted) return;
      await handle(entry);
    }
    // A full batch of own retries may have more behind it.
    ownPending = entries.length >= count;
    if (Date.now() >= nextCleanupAt) {
      nextCleanupAt = Date.now() + CLEANUP_EVERY_MS;
      await removeIdleConsumers(store, CONSUMER_GONE_MS, consumer);
    }
  };

  const run = async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        await step();
        failures = 0;
      } catch (err) {
        if (stopping.signal.aborted) break;
        failures++;
        // The stream or group may be gone (Redis restarted without persistence): recreate it.
        if (err instanceof Error && err.message.startsWith("NOGROUP")) groupReady = false;
        ownPending = true;
        const delayMs = Math.min(100 * 2 ** (failures - 1), backoffCapMs);
        log.warn(
          { err: err instanceof Error ? err.message : String(err), delayMs },
          "archiving failed; retrying",
        );
        await sleep(delayMs, stopping.signal);
      }
    }
  };

  const running = run();
  return {
    stop: async () => {
      stopping.abort();
      // The loop ends within a blocking read; one stuck on a dead connection is cut off instead.
      let timer: NodeJS.Timeout | undefined;
      const settled = await Promise.race([
        running.then(() => true),
        new Promise<boolean>(
          (resolve) => (timer = setTimeout(() => resolve(false), blockMs + 3_000)),
        ),
      ]);
      clearTimeout(timer);
      if (settled && reader.isReady) {
        await leaveArchiveGroup(store, consumer).catch(() => undefined);
        await reader.quit().catch(() => undefined);
      } else {
        reader.destroy();
      }
    },
  };
}

/** Waits `ms`, or less when stopping; the abort listener goes with the wait (retries are many). */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
