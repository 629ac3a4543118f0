// The archiver: every instance reads the archive stream in one consumer group, archives each ended
// game into MongoDB with its effects on the players, and only then acknowledges the entry. Entries
// of an instance that died are taken over with XAUTOCLAIM; while MongoDB (or Redis) is down,
// entries stay pending and are retried with a capped exponential backoff. An entry that fails on
// its own (both stores answer) is retried later without holding up the others, and given up into
// the dead-letter stream after `maxDeliveries` deliveries. Nothing here ever throws out.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import type { AppContext } from "../context.js";
import { archiveGame, type ArchivePause, type ArchivePausePoint } from "../store/archive.js";
import {
  ackArchived,
  claimIdleEntries,
  deadLetter,
  ensureArchiveGroup,
  leaveArchiveGroup,
  pendingInfo,
  readNewEntries,
  readOwnPending,
  removeIdleConsumers,
  type ArchiveEntry,
} from "../store/archive-queue.js";
import { closeRedis, type Redis } from "../store/redis.js";

export interface ArchiverOptions {
  /** Pending this long with another consumer means its instance died: take the entry over. */
  claimIdleMs: number;
  graceS: number;
  /** Deliveries of an entry that keeps failing before it goes to the dead-letter stream. */
  maxDeliveries: number;
  /** Called for each entry given up on (the metric). */
  onDeadLetter?: () => void;
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

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

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
  const backoffMs = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), backoffCapMs);

  let groupReady = false;
  // When this consumer's own pending entries (failed, or left by an outage) are due again.
  let retryOwnAt = 0;
  let ownCursor = "0";
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

  /** A failure is the entry's own only while both stores answer; otherwise it is an outage. */
  const storesAnswer = () =>
    Promise.all([reader.ping(), ctx.mongo.db.command({ ping: 1 })]).then(
      () => true,
      () => false,
    );

  const giveUp = async (entry: ArchiveEntry, deliveries: number, error: string) => {
    await deadLetter(store, entry, { deliveries, error, consumer });
    opts.onDeadLetter?.();
    log.error(
      { gameId: entry.gameId, entryId: entry.entryId, deliveries, err: error },
      "archive entry given up on; moved to the dead-letter stream",
    );
  };

  /** Leaves the entry pending for a later try, or gives it up when that was its last delivery. */
  const retryLater = async (entry: ArchiveEntry, error: string | null) => {
    const pending = (await pendingInfo(store, [entry.entryId])).get(entry.entryId);
    if (pending === undefined || pending.consumer !== consumer) return;
    if (error !== null && pending.deliveries >= opts.maxDeliveries) {
      await giveUp(entry, pending.deliveries, error);
      return;
    }
    if (error !== null)
      log.warn(
        { gameId: entry.gameId, deliveries: pending.deliveries, err: error },
        "archiving an entry failed; retrying it later",
      );
    retryOwnAt = Math.min(retryOwnAt, Date.now() + backoffMs(pending.deliveries));
  };

  const archive = async (entry: ArchiveEntry) => {
    let archived: string | null = null;
    if (entry.gameId === null) {
      log.error({ entryId: entry.entryId }, "archive entry without a game id; dropped");
    } else {
      const outcome = await archiveGame(store, entry.gameId, {
        pause,
        staleClaimMs: opts.claimIdleMs,
      });
      // Another game of a player is being written: not a failure, so never given up for it.
      if (outcome === "busy") return retryLater(entry, null);
      if (outcome === "archived") archived = entry.gameId;
      else log.error({ gameId: entry.gameId, outcome }, "archive entry for no ended game; dropped");
    }
    await ackArchived(store, entry.entryId, archived, opts.graceS);
  };

  const handle = async (entry: ArchiveEntry) => {
    try {
      await archive(entry);
    } catch (err) {
      // An outage fails every entry alike: back off (the loop) instead of counting it against one.
      if (stopping.signal.aborted || !(await storesAnswer())) throw err;
      await retryLater(entry, messageOf(err));
    }
  };

  /** What to work on: own retries when due, then entries of dead consumers, then new ones. */
  const nextEntries = async (): Promise<{ entries: ArchiveEntry[]; takenOver: boolean }> => {
    if (Date.now() >= retryOwnAt) {
      const mine = await readOwnPending(store, consumer, count, ownCursor);
      // A full batch may have more behind it: go on after its last entry, then start over.
      const full = mine.length >= count;
      ownCursor = full ? mine[mine.length - 1]!.entryId : "0";
      retryOwnAt = full ? 0 : Infinity;
      if (mine.length > 0) return { entries: mine, takenOver: false };
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
        return { entries: claimed.entries, takenOver: true };
      }
    }
    const waitMs = Math.max(1, Math.min(blockMs, retryOwnAt - Date.now()));
    return { entries: await readNewEntries(store, consumer, count, waitMs), takenOver: false };
  };

  const step = async (afterFailure: boolean) => {
    if (!reader.isOpen) await reader.connect();
    // Every read counts a delivery: after a failure, read nothing until both stores answer.
    if (afterFailure && !(await storesAnswer()))
      throw new Error("MongoDB or Redis does not answer");
    if (!groupReady) {
      await ensureArchiveGroup(store);
      groupReady = true;
    }
    const { entries, takenOver } = await nextEntries();
    // An entry that every consumer taking it died on would kill the next one too: give it up untried.
    const pending = takenOver
      ? await pendingInfo(
          store,
          entries.map((e) => e.entryId),
        )
      : null;
    for (const entry of entries) {
      if (stopping.signal.aborted) return;
      const deliveries = pending?.get(entry.entryId)?.deliveries ?? 0;
      if (deliveries > opts.maxDeliveries)
        await giveUp(entry, deliveries, "never finished: taken over on every delivery");
      else await handle(entry);
    }
    if (Date.now() >= nextCleanupAt) {
      nextCleanupAt = Date.now() + CLEANUP_EVERY_MS;
      await removeIdleConsumers(store, CONSUMER_GONE_MS, consumer);
    }
  };

  const run = async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        await step(failures > 0);
        failures = 0;
      } catch (err) {
        if (stopping.signal.aborted) break;
        failures++;
        // The stream or group may be gone (Redis restarted without persistence): recreate it.
        if (err instanceof Error && err.message.startsWith("NOGROUP")) groupReady = false;
        retryOwnAt = 0;
        ownCursor = "0";
        const delayMs = backoffMs(failures);
        log.warn({ err: messageOf(err), delayMs }, "archiving failed; retrying");
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
        await closeRedis(reader);
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
