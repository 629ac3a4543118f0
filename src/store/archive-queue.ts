// The archive queue: a Redis stream of ended games (`keys.archive`, one entry `{gameId}` per game,
// appended by the follow-up of the game's end, store/game-end.ts) read by every instance in one
// consumer group.
// Commands are sent as they are and their replies parsed defensively here: node-redis's typed
// stream readers throw on an entry deleted while pending, which would wedge a reader for good.
import type { Keys } from "./keys.js";
import type { Redis } from "./redis.js";

type Ctx = { redis: Redis; keys: Keys };

export interface ArchiveEntry {
  entryId: string;
  /** Null for an entry without a game id, or one deleted while pending: acknowledged and skipped. */
  gameId: string | null;
}

/** Creates the consumer group (and the stream) when missing; from the start, so nothing is missed. */
export async function ensureArchiveGroup(ctx: Ctx): Promise<void> {
  try {
    await ctx.redis.sendCommand([
      "XGROUP",
      "CREATE",
      ctx.keys.archive,
      ctx.keys.archiveGroup,
      "0",
      "MKSTREAM",
    ]);
  } catch (err) {
    if (!(err instanceof Error && err.message.startsWith("BUSYGROUP"))) throw err;
  }
}

/**
 * A flat [field, value, …] list, a Map or a plain object (node-redis shapes replies by command and
 * protocol version) read as a lookup.
 */
function fieldOf(fields: unknown, name: string): unknown {
  if (Array.isArray(fields)) {
    for (let i = 0; i + 1 < fields.length; i += 2)
      if (String(fields[i]) === name) return fields[i + 1];
    return undefined;
  }
  if (fields instanceof Map) return fields.get(name);
  return fields !== null && typeof fields === "object"
    ? (fields as Record<string, unknown>)[name]
    : undefined;
}

/** Stream entries [[id, fields | nil], …]; nil fields (an entry deleted while pending) give no game. */
function parseEntries(raw: unknown): ArchiveEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((item): item is unknown[] => Array.isArray(item) && item.length >= 1)
    .map((item) => {
      const gameId = fieldOf(item[1], "gameId");
      return {
        entryId: String(item[0]),
        gameId: typeof gameId === "string" && gameId !== "" ? gameId : null,
      };
    });
}

/** An XREADGROUP reply for one stream: null, [[stream, entries]], or {stream: entries} / a Map. */
function parseStreams(raw: unknown): ArchiveEntry[] {
  if (raw === null || raw === undefined) return [];
  if (Array.isArray(raw)) return raw.length > 0 ? parseEntries((raw[0] as unknown[])[1]) : [];
  if (raw instanceof Map) return parseEntries([...raw.values()][0]);
  return typeof raw === "object" ? parseEntries(Object.values(raw)[0]) : [];
}

/** Entries never delivered to anyone; waits up to `blockMs` for some. Needs a connection of its own. */
export async function readNewEntries(
  ctx: Ctx,
  consumer: string,
  count: number,
  blockMs: number,
): Promise<ArchiveEntry[]> {
  const args = ["XREADGROUP", "GROUP", ctx.keys.archiveGroup, consumer, "COUNT", String(count)];
  args.push("BLOCK", String(blockMs), "STREAMS", ctx.keys.archive, ">");
  return parseStreams(await ctx.redis.sendCommand(args));
}

/**
 * Entries delivered to this consumer and not acknowledged yet (after a failed attempt), from after
 * the entry id `after` on. Each read counts as one more delivery of each entry it returns.
 */
export async function readOwnPending(
  ctx: Ctx,
  consumer: string,
  count: number,
  after = "0",
): Promise<ArchiveEntry[]> {
  const args = ["XREADGROUP", "GROUP", ctx.keys.archiveGroup, consumer, "COUNT", String(count)];
  args.push("STREAMS", ctx.keys.archive, after);
  return parseStreams(await ctx.redis.sendCommand(args));
}

/** Who holds a pending entry, and how many times it was delivered. */
export interface PendingInfo {
  consumer: string;
  deliveries: number;
}

/**
 * XPENDING of each entry: every read of it as new, as its consumer's pending, or by a takeover is
 * one more delivery. Entries no longer pending are left out.
 */
export async function pendingInfo(ctx: Ctx, entryIds: string[]): Promise<Map<string, PendingInfo>> {
  const { archive, archiveGroup } = ctx.keys;
  const replies = await Promise.all(
    entryIds.map((id) =>
      ctx.redis.sendCommand<unknown[]>(["XPENDING", archive, archiveGroup, id, id, "1"]),
    ),
  );
  const info = new Map<string, PendingInfo>();
  for (const reply of replies) {
    const row: unknown = Array.isArray(reply) ? reply[0] : undefined;
    if (Array.isArray(row) && row.length >= 4)
      info.set(String(row[0]), { consumer: String(row[1]), deliveries: Number(row[3]) });
  }
  return info;
}

/** The dead-letter stream keeps about this many entries (XADD MAXLEN ~): bad input stays bounded. */
export const DEAD_LETTER_MAXLEN = 10_000;

/**
 * Gives an entry up, in one atomic step: a record of it into the dead-letter stream, and the entry
 * acknowledged and deleted. The game hash is left as it is (no expiry), for a look and a retry by
 * hand: XADD its {gameId} to the archive stream again.
 */
export async function deadLetter(
  ctx: Ctx,
  entry: ArchiveEntry,
  why: { deliveries: number; error: string; consumer: string },
): Promise<void> {
  await ctx.redis
    .multi()
    .xAdd(
      ctx.keys.archiveDead,
      "*",
      {
        entryId: entry.entryId,
        gameId: entry.gameId ?? "",
        deliveries: String(why.deliveries),
        error: why.error.slice(0, 500),
        consumer: why.consumer,
      },
      { TRIM: { strategy: "MAXLEN", strategyModifier: "~", threshold: DEAD_LETTER_MAXLEN } },
    )
    .xAck(ctx.keys.archive, ctx.keys.archiveGroup, entry.entryId)
    .xDel(ctx.keys.archive, entry.entryId)
    .exec();
}

/**
 * Takes over entries that another consumer (an instance that died) left pending longer than
 * `minIdleMs`. Returns the cursor for the next call ("0-0" once the whole list was scanned).
 */
export async function claimIdleEntries(
  ctx: Ctx,
  consumer: string,
  minIdleMs: number,
  start: string,
  count: number,
): Promise<{ entries: ArchiveEntry[]; next: string }> {
  const raw = await ctx.redis.sendCommand<[string, unknown, unknown?]>([
    "XAUTOCLAIM",
    ctx.keys.archive,
    ctx.keys.archiveGroup,
    consumer,
    String(minIdleMs),
    start,
    "COUNT",
    String(count),
  ]);
  // Entries deleted from the stream while pending come back as nil (Redis 7 also lists their ids
  // apart and drops them from the pending list): nothing to archive there.
  const entries = parseEntries(raw[1]);
  return { entries, next: String(raw[0]) };
}

/**
 * The end of archiving one game, in one atomic step: acknowledge the entry, delete it (the
 * stream only holds work not done), and let the game hash and its event log expire after the
 * grace period (only when the game was archived: an entry dropped for naming a live game must not
 * expire it).
 */
export async function ackArchived(
  ctx: Ctx,
  entryId: string,
  archivedGameId: string | null,
  graceS: number,
): Promise<void> {
  // Two slots (the game's and the stream's), two steps: the expiry first, so that a crash in
  // between leaves the entry to be delivered again (archiving is idempotent), not a game hash
  // that never expires.
  if (archivedGameId !== null) {
    await ctx.redis
      .multi()
      .expire(ctx.keys.game(archivedGameId), graceS)
      .expire(ctx.keys.gameLog(archivedGameId), graceS)
      .exec();
  }
  await ctx.redis
    .multi()
    .xAck(ctx.keys.archive, ctx.keys.archiveGroup, entryId)
    .xDel(ctx.keys.archive, entryId)
    .exec();
}

/** How many entries wait in the group: pending (delivered, not acknowledged) plus never delivered. */
export async function archiveBacklog(ctx: Ctx): Promise<number> {
  return ctx.redis.xLen(ctx.keys.archive);
}

/**
 * Removes consumers that hold no entry and did nothing for `idleMs`: instances gone long ago.
 * A live consumer is never that idle (it reads every second), and one holding entries is kept
 * (deleting it would drop its pending entries; XAUTOCLAIM takes those over instead).
 */
export async function removeIdleConsumers(
  ctx: Ctx,
  idleMs: number,
  except?: string,
): Promise<number> {
  const raw = await ctx.redis.sendCommand<unknown[]>([
    "XINFO",
    "CONSUMERS",
    ctx.keys.archive,
    ctx.keys.archiveGroup,
  ]);
  let removed = 0;
  for (const info of raw) {
    const name = String(fieldOf(info, "name"));
    if (
      name === except ||
      Number(fieldOf(info, "pending")) !== 0 ||
      Number(fieldOf(info, "idle")) < idleMs
    )
      continue;
    await ctx.redis.sendCommand([
      "XGROUP",
      "DELCONSUMER",
      ctx.keys.archive,
      ctx.keys.archiveGroup,
      name,
    ]);
    removed++;
  }
  return removed;
}

/** On a graceful stop: leave the group, unless entries are still pending for this consumer. */
export async function leaveArchiveGroup(ctx: Ctx, consumer: string): Promise<void> {
  const pending = await readOwnPending(ctx, consumer, 1);
  if (pending.length > 0) return;
  await ctx.redis.sendCommand([
    "XGROUP",
    "DELCONSUMER",
    ctx.keys.archive,
    ctx.keys.archiveGroup,
    consumer,
  ]);
}
