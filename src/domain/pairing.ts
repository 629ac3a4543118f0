// Who plays whom in one pairing wave of one pool: a pure choice over the queued players, with
// time passed in. Lichess's pools are the reference (modules/pool, MatchMaking.scala): a base
// rating window that depends on the rating, widened by how long each player has waited.

/** A queued player as the pairing sees it. */
export interface Seeker {
  id: string;
  /** Rating for the pool's speed (Glicko-2 rating, not rounded). */
  rating: number;
  /** When the player joined the queue (ms); kept when a player is sent back after a proposal. */
  since: number;
  /** Guests have no real rating: in casual pools they are paired by waiting time. */
  guest: boolean;
}

/** One chosen pair; `a` is the one who has waited longer. */
export interface Pair {
  a: string;
  b: string;
}

export const PAIRING = {
  /**
   * Widening per second waited, in rating points. Lichess adds 12 per missed wave (its waves come
   * every few seconds and the bonus stops at 460); our waves come every PAIRING_INTERVAL_MS
   * (1 s), so the window grows with time waited rather than with waves, and never stops
   * growing: after 30 s a 1500 player accepts ±400, after 2 min ±1300, so nobody waits forever.
   */
  widenPerSecond: 10,
  /** Unmatched rating neighbours looked at on each side; bounds a wave at O(n log n). */
  neighbours: 16,
} as const;

/**
 * The window a player accepts before any waiting: lichess's ratingToMaxScore
 * (130 under 1000, 100 under 1500, then rating / 15: 133 at 2000, 200 at 3000).
 */
export function baseRange(rating: number): number {
  if (rating < 1000) return 130;
  if (rating < 1500) return 100;
  return rating / 15;
}

/** How far from its own rating a player accepts an opponent after waiting until `nowMs`. */
export function acceptableRange(seeker: Seeker, nowMs: number): number {
  const waitedS = Math.max(0, nowMs - seeker.since) / 1000;
  return baseRange(seeker.rating) + PAIRING.widenPerSecond * waitedS;
}

/** Whether two players accept each other: the rating gap fits BOTH of their windows. */
export function acceptable(x: Seeker, y: Seeker, nowMs: number): boolean {
  const gap = Math.abs(x.rating - y.rating);
  return gap <= acceptableRange(x, nowMs) && gap <= acceptableRange(y, nowMs);
}

const byWait = (x: Seeker, y: Seeker): number =>
  x.since - y.since || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

/**
 * The pairs of one wave. Two players alone in a pool are always paired. Guests are paired in
 * order of waiting. The others are taken longest-waiting first, each with its closest acceptable
 * rating neighbour; whoever finds nobody acceptable waits for the next wave. A guest left over
 * plays the longest-waiting player left over, since a guest's rating means nothing.
 */
export function pairSeekers(seekers: readonly Seeker[], nowMs: number): Pair[] {
  if (seekers.length < 2) return [];
  if (seekers.length === 2) {
    const [x, y] = [...seekers].sort(byWait) as [Seeker, Seeker];
    return [{ a: x.id, b: y.id }];
  }
  const guests = seekers.filter((s) => s.guest).sort(byWait);
  const rated = seekers.filter((s) => !s.guest);
  const pairs: Pair[] = [];
  for (let i = 0; i + 1 < guests.length; i += 2)
    pairs.push({ a: guests[i]!.id, b: guests[i + 1]!.id });
  const { pairs: byRating, left } = pairByRating(rated, nowMs);
  pairs.push(...byRating);
  const lastGuest = guests.length % 2 === 1 ? guests[guests.length - 1]! : undefined;
  if (lastGuest !== undefined && left.length > 0) {
    const partner = left.sort(byWait)[0]!;
    pairs.push(
      byWait(partner, lastGuest) < 0
        ? { a: partner.id, b: lastGuest.id }
        : { a: lastGuest.id, b: partner.id },
    );
  }
  return pairs;
}

/**
 * Greedy on rating neighbours: players sorted by rating form a doubly linked list of the still
 * unmatched; each player, longest-waiting first, takes the nearest acceptable neighbour.
 */
function pairByRating(
  seekers: readonly Seeker[],
  nowMs: number,
): { pairs: Pair[]; left: Seeker[] } {
  const n = seekers.length;
  // Typed arrays and index sorts: a wave over 10,000 players stays within a few milliseconds.
  const ratingOf = Float64Array.from(seekers, (s) => s.rating);
  const order = Int32Array.from(seekers, (_, i) => i).sort(
    (x, y) => ratingOf[x]! - ratingOf[y]! || x - y,
  );
  const rating = new Float64Array(n);
  const range = new Float64Array(n);
  const since = new Float64Array(n);
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  order.forEach((idx, pos) => {
    const s = seekers[idx]!;
    rating[pos] = s.rating;
    range[pos] = acceptableRange(s, nowMs);
    since[pos] = s.since;
    prev[pos] = pos - 1;
    next[pos] = pos + 1 < n ? pos + 1 : -1;
  });
  const matched = new Uint8Array(n);
  const unlink = (pos: number) => {
    matched[pos] = 1;
    if (prev[pos]! >= 0) next[prev[pos]!] = next[pos]!;
    if (next[pos]! >= 0) prev[next[pos]!] = prev[pos]!;
  };
  const waitOrder = Int32Array.from(order, (_, pos) => pos).sort(
    (x, y) => since[x]! - since[y]! || byWait(seekers[order[x]!]!, seekers[order[y]!]!),
  );
  const pairs: Pair[] = [];
  for (const pos of waitOrder) {
    if (matched[pos]) continue;
    const left = nearestAcceptable(pos, prev, rating, range);
    const right = nearestAcceptable(pos, next, rating, range);
    const partner = choose(pos, left, right, rating, since);
    if (partner < 0) continue;
    unlink(pos);
    unlink(partner);
    pairs.push({ a: seekers[order[pos]!]!.id, b: seekers[order[partner]!]!.id });
  }
  const left: Seeker[] = [];
  order.forEach((idx, pos) => {
    if (!matched[pos]) left.push(seekers[idx]!);
  });
  return { pairs, left };
}

/** The first unmatched neighbour along `link` whose gap fits both windows; -1 when none. */
function nearestAcceptable(
  pos: number,
  link: Int32Array,
  rating: Float64Array,
  range: Float64Array,
): number {
  let q = link[pos]!;
  for (let steps = 0; q >= 0 && steps < PAIRING.neighbours; steps++) {
    const gap = Math.abs(rating[pos]! - rating[q]!);
    if (gap > range[pos]!) return -1;
    if (gap <= range[q]!) return q;
    q = link[q]!;
  }
  return -1;
}

/** The closer of the two candidates; on equal gaps, the one who has waited longer. */
function choose(
  pos: number,
  x: number,
  y: number,
  rating: Float64Array,
  since: Float64Array,
): number {
  if (x < 0 || y < 0) return x < 0 ? y : x;
  const gx = Math.abs(rating[pos]! - rating[x]!);
  const gy = Math.abs(rating[pos]! - rating[y]!);
  if (gx !== gy) return gx < gy ? x : y;
  return since[x]! <= since[y]! ? x : y;
}
