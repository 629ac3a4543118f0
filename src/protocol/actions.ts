// The client-to-server actions of PROTOCOL.md, parsed once at the edge with zod.
import { z } from "zod";

import { POOLS } from "./pools.js";

export { POOLS, type Pool } from "./pools.js";

export const usernameSchema = z
  .string()
  .min(3)
  .max(20)
  .regex(/^[A-Za-z0-9_-]+$/);
export const passwordSchema = z.string().min(8).max(128);
export const credentialsSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
});

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
const gameRef = z.strictObject({ gameId: id });
const challengeRef = z.strictObject({ challengeId: id });
/** A challenge's time control, "M+S": minutes 1–180, increment seconds 0–180, no leading zeros. */
const CHALLENGE_TIME_CONTROL = /^(?:[1-9]\d?|1[0-7]\d|180)\+(?:0|[1-9]\d?|1[0-7]\d|180)$/;

export const actionPayloads = {
  "server/REGISTER_USER": credentialsSchema,
  "server/START_MATCHMAKING": z.strictObject({
    timeControl: z.enum(POOLS),
    rated: z.boolean().optional(),
    autoAccept: z.boolean().optional(),
  }),
  "server/CANCEL_MATCHMAKING": z.strictObject({}),
  "server/REPLY_MATCHUP": z.strictObject({ matchId: id, accept: z.boolean() }),
  /** Without `v`: the whole game (RESUME_GAME). With `v`: the events after it, or RESUME_GAME. */
  "game/PLAYER_READY": z.strictObject({
    gameId: id,
    v: z.number().int().min(0).max(1e9).optional(),
  }),
  "game/PLAYER_MOVE": z.strictObject({
    gameId: id,
    move: z.string().regex(/^[a-h][1-8][a-h][1-8][qrbn]?$/),
    ply: z.number().int().min(0).max(100_000),
    /** The network time the move cost the client, ms (PROTOCOL.md, lag compensation). */
    lag: z.number().min(0).max(60_000).optional(),
  }),
  "game/OFFER_DRAW": gameRef,
  "game/DECLINE_DRAW": gameRef,
  "game/CONCEDE": gameRef,
  "game/GIVE_TIME": gameRef,
  "game/PROPOSE_TAKEBACK": gameRef,
  "game/DECLINE_TAKEBACK": gameRef,
  "game/CLAIM_VICTORY": gameRef,
  "game/WATCH": gameRef,
  "game/UNWATCH": gameRef,
  "game/OFFER_REMATCH": gameRef,
  "game/DECLINE_REMATCH": gameRef,
  "server/CREATE_CHALLENGE": z.strictObject({
    timeControl: z.string().regex(CHALLENGE_TIME_CONTROL),
    rated: z.boolean().optional(),
    color: z.enum(["white", "black", "random"]).optional(),
    to: usernameSchema.nullable().optional(),
  }),
  "server/ACCEPT_CHALLENGE": challengeRef,
  "server/DECLINE_CHALLENGE": challengeRef,
  "server/CANCEL_CHALLENGE": challengeRef,
} as const;

export type ClientActionType = keyof typeof actionPayloads;
export type ClientPayload<T extends ClientActionType> = z.infer<(typeof actionPayloads)[T]>;

export const envelopeSchema = z.strictObject({
  type: z.string().min(1).max(64),
  payload: z.unknown().optional(),
});

export function isClientActionType(type: string): type is ClientActionType {
  return Object.hasOwn(actionPayloads, type);
}
