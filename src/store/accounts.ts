// Registered accounts in MongoDB: argon2id password hashes, case-insensitive unique usernames.
// The hash never leaves this module: callers get a PublicUser or nothing.
import { Algorithm, hash, verify } from "@node-rs/argon2";
import { MongoServerError } from "mongodb";
import type { AppContext } from "../context.js";
import { AppError } from "../protocol/errors.js";
import type { PublicUser } from "../protocol/types.js";
import { isGuestName } from "./guests.js";
import { newId } from "./ids.js";
import { defaultRatings, toPublicUser, type UserDoc } from "./users.js";

type Ctx = Pick<AppContext, "mongo">;

export interface Credentials {
  username: string;
  password: string;
}

/** OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): ~20 ms a hash on the 2-core test box. */
const HASH_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

const DUPLICATE_KEY = 11000;

const users = (ctx: Ctx) => ctx.mongo.db.collection<UserDoc>("users");

/**
 * Creates an account. `userId` is given when a guest registers, so that everything keyed by the
 * guest's id in Redis (live state, queue place, game) now belongs to the account. The unique index
 * on `usernameLower` decides races: of two registrations of one name, exactly one is inserted.
 */
export async function createAccount(
  ctx: Ctx,
  credentials: Credentials,
  userId: string = newId(),
): Promise<PublicUser> {
  // An account may not take a generated guest name, so nobody poses as a guest.
  if (isGuestName(credentials.username)) {
    throw new AppError("USERNAME_TAKEN", "That username is reserved.");
  }
  const doc: UserDoc = {
    _id: userId,
    username: credentials.username,
    usernameLower: credentials.username.toLowerCase(),
    passwordHash: await hash(credentials.password, HASH_OPTIONS),
    ratings: defaultRatings(),
    createdAt: Date.now(),
  };
  try {
    await users(ctx).insertOne(doc);
  } catch (err) {
    if (!(err instanceof MongoServerError) || err.code !== DUPLICATE_KEY) throw err;
    // The same `_id` means this guest already registered (say, from another tab): not a name clash.
    const existing = await users(ctx).countDocuments({ _id: userId }, { limit: 1 });
    throw new AppError(existing > 0 ? "UNAUTHORIZED" : "USERNAME_TAKEN");
  }
  return toPublicUser(doc);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a username and password. An unknown name and a wrong password look the same to the
 * caller, and take about the same time: an unknown name still runs one verification.
 */
export async function verifyCredentials(
  ctx: Ctx,
  credentials: Credentials,
): Promise<PublicUser | null> {
  const doc = await users(ctx).findOne(
    { usernameLower: credentials.username.toLowerCase() },
    { projection: { username: 1, ratings: 1, passwordHash: 1 } },
  );
  if (doc === null) {
    dummyHash ??= hash("not-a-real-password", HASH_OPTIONS);
    await verify(await dummyHash, credentials.password);
    return null;
  }
  const ok = await verify(doc.passwordHash, credentials.password);
  return ok ? toPublicUser(doc) : null;
}

/**
 * The account a guest already made under its own user id with these very credentials, or null.
 * A registration is two steps (the account here, then the sessions in Redis); when the second
 * failed, the retry finds the first done and completes the second instead of being refused.
 */
export async function accountOfGuest(
  ctx: Ctx,
  userId: string,
  credentials: Credentials,
): Promise<PublicUser | null> {
  const doc = await users(ctx).findOne(
    { _id: userId, usernameLower: credentials.username.toLowerCase() },
    { projection: { username: 1, ratings: 1, passwordHash: 1 } },
  );
  if (doc === null || !(await verify(doc.passwordHash, credentials.password))) return null;
  return toPublicUser(doc);
}
