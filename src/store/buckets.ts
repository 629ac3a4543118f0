// The deadline buckets: the due work of games, proposals and challenges is spread over BUCKETS
// sorted sets, each with a hash tag of its own, so that a game's step can reschedule its flag in
// the game's own Redis Cluster slot (DESIGN invariant 7). A game's id is drawn until its slot is
// one of the buckets' slots; the bucket of any other id is the one its slot falls to.
import calculateSlot from "cluster-key-slot";
import { newId } from "./ids.js";

export const BUCKETS = 64;
const SLOTS = 16_384;
const SPAN = SLOTS / BUCKETS;

/**
 * The hash tag of each bucket: the first `b<k>.<n>` whose slot falls in the k-th 64th of the slot
 * range, so that the buckets spread evenly over the masters of a Cluster (which split the range
 * into equal parts). Computed once; the same on every instance.
 */
export const bucketTags: readonly string[] = Array.from({ length: BUCKETS }, (_, k) => {
  for (let n = 0; ; n++) {
    const tag = `b${k}.${n}`;
    if (Math.floor(calculateSlot(tag) / SPAN) === k) return tag;
  }
});

const bucketOfSlot = new Map(bucketTags.map((tag, k) => [calculateSlot(tag), k]));

/**
 * The bucket of an entity's due work. For an id drawn by newBucketedId it shares the id's slot;
 * another id (one made before the buckets, or a proposal's and a challenge's, whose steps span
 * slots anyway) gets the bucket of its slot's 64th of the range.
 */
export function bucketOf(id: string): number {
  const slot = calculateSlot(id);
  return bucketOfSlot.get(slot) ?? Math.floor(slot / SPAN);
}

/**
 * A new id whose slot is a bucket's: about 256 draws (a random id and a CRC16 each), some tens of
 * microseconds.
 */
export function newBucketedId(): string {
  for (;;) {
    const id = newId();
    if (bucketOfSlot.has(calculateSlot(id))) return id;
  }
}
