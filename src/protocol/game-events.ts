// The game events of PROTOCOL.md ("Game events and their versions") as one zod schema. The Lua
// scripts build these events and no instance parses them on the way (that would cost every move a
// validation): the schema is the contract the scripts are held to, in tests and by any client that
// wants to check what it gets.
import { z } from "zod";
import type { GameEvent } from "./types.js";

const color = z.enum(["white", "black"]);
const base = { gameId: z.string().min(1), v: z.number().int().min(1) };
const clock = z.strictObject({
  whiteMs: z.number().int(),
  blackMs: z.number().int(),
  running: z.boolean(),
  serverTime: z.number().int(),
});

export const gameEventSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("client/UPDATE_GAME"),
    payload: z.strictObject({
      ...base,
      ply: z.number().int().min(1),
      move: z.strictObject({ uci: z.string(), san: z.string() }),
      fen: z.string(),
      clock,
      drawOffer: color.nullable(),
    }),
  }),
  z.strictObject({
    type: z.literal("client/OFFER_DRAW"),
    payload: z.strictObject({ ...base, by: color }),
  }),
  z.strictObject({
    type: z.literal("client/DRAW_DECLINED"),
    payload: z.strictObject({ ...base, by: color }),
  }),
  z.strictObject({
    type: z.literal("client/TAKEBACK_OFFERED"),
    payload: z.strictObject({ ...base, by: color }),
  }),
  z.strictObject({
    type: z.literal("client/TAKEBACK_DECLINED"),
    payload: z.strictObject({ ...base, by: color }),
  }),
  z.strictObject({
    type: z.literal("client/TAKEBACK"),
    payload: z.strictObject({ ...base, ply: z.number().int().min(0), fen: z.string(), clock }),
  }),
  z.strictObject({
    type: z.literal("client/UPDATE_CLOCK"),
    payload: z.strictObject({ ...base, clock }),
  }),
  z.strictObject({
    type: z.literal("client/GAME_OVER"),
    payload: z.strictObject({
      ...base,
      result: z.enum(["1-0", "0-1", "1/2-1/2"]).nullable(),
      reason: z.enum([
        "checkmate",
        "resign",
        "timeout",
        "stalemate",
        "agreement",
        "threefold",
        "fifty-move",
        "insufficient-material",
        "aborted",
        "abandoned",
      ]),
      winner: color.nullable(),
      ratingDiff: z.strictObject({ white: z.number().int(), black: z.number().int() }).nullable(),
    }),
  }),
]);

// The schema and the type say the same: a change to one that the other lacks fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const schemaMatchesType: Same<z.infer<typeof gameEventSchema>, GameEvent> = true;
