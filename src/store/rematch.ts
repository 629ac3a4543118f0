// Rematch offers in Redis: one offer per finished game (`keys.rematch`, JSON {by}, gone after
// REMATCH_MS), a pointer from each of its players to that game (so that starting anything else
// finds and lapses it), and each player's count of offers this minute. Offering, accepting (which
// creates the new game) and ending an offer are each one script that publishes its lobby events.
import type { AppContext } from "../context.js";
import type { Color, GamePlayer } from "../protocol/types.js";
import type { PreparedGame } from "./matchmaking.js";
import { LuaScript } from "./lua-script.js";

const offerScript = LuaScript.load("offer-rematch-10", ["game-created"]);
const endScript = LuaScript.load("end-rematch-3");

/** lichess lets a player offer two rematches a minute. */
export const REMATCH_OFFERS_PER_MINUTE = 2;

type Ctx = Pick<AppContext, "redis" | "keys" | "config">;

/** The two players of a finished game, as its hash names them. */
export interface RematchPlayers {
  gameId: string;
  white: GamePlayer;
  black: GamePlayer;
}

export type OfferReply =
  | { code: "OFFERED" | "PREPARE" | "NOT_FOUND" | "BUSY" | "RATE_LIMITED" }
  | { code: "STARTED"; gameId: string };

/** Offers a rematch as `by`, or accepts the opponent's offer with `game` (prepared by the caller). */
export async function offerRematch(
  ctx: Ctx,
  players: RematchPlayers,
  by: Color,
  game: PreparedGame | null,
): Promise<OfferReply> {
  const k = ctx.keys;
  const { gameId, white, black } = players;
  const offerer = by === "white" ? white : black;
  const reply = (await offerScript.run(
    ctx.redis,
    [
      k.game(gameId),
      k.rematch(gameId),
      k.live(white.id),
      k.live(black.id),
      k.userRematch(white.id),
      k.userRematch(black.id),
      k.userRematchOffers(offerer.id),
      game === null ? k.rematch(gameId) : k.game(game.gameId),
      k.deadlinesOf(game?.gameId ?? gameId),
      k.liveGames,
    ],
    [
      by,
      ctx.config.REMATCH_MS,
      k.userEvents(white.id),
      k.userEvents(black.id),
      REMATCH_OFFERS_PER_MINUTE,
      game?.gameId ?? "",
      game?.firstMoveMs ?? 0,
      ...(game ? [game.startEvent, ...game.fields] : [""]),
    ],
  )) as [Exclude<OfferReply["code"], "STARTED">] | ["STARTED", string];
  return reply[0] === "STARTED" ? { code: "STARTED", gameId: reply[1] } : { code: reply[0] };
}

/** The colour whose offer is pending on a finished game, if any. */
export async function pendingRematch(ctx: Ctx, gameId: string): Promise<Color | null> {
  const raw = await ctx.redis.get(ctx.keys.rematch(gameId));
  return raw === null ? null : (JSON.parse(raw) as { by: Color }).by;
}

/**
 * Ends the offer of a finished game: `decline` (only the opponent's offer) or `lapse` (any offer,
 * because the player of colour `by` started something else).
 */
export async function endRematch(
  ctx: Ctx,
  players: RematchPlayers,
  by: Color,
  how: "decline" | "lapse",
): Promise<"ENDED" | "NO_REMATCH_OFFER"> {
  const k = ctx.keys;
  const { gameId, white, black } = players;
  const reply = (await endScript.run(
    ctx.redis,
    [k.rematch(gameId), k.userRematch(white.id), k.userRematch(black.id)],
    [gameId, by, how, k.userEvents(white.id), k.userEvents(black.id)],
  )) as ["ENDED" | "NO_REMATCH_OFFER"];
  return reply[0];
}

/** The finished game whose rematch offer involves the user, if one is pending. */
export function rematchOf(ctx: Ctx, userId: string): Promise<string | null> {
  return ctx.redis.get(ctx.keys.userRematch(userId));
}
