// Rematch: after a game's end either player offers the same time control and mode with colours
// swapped; the second offer accepts the first and creates the game in the same step. The offer
// lapses when either player starts anything else (`lapseRematch`) or after REMATCH_MS.
import type { AppContext } from "../../context.js";
import { colorOf, opposite } from "../../domain/game.js";
import { prepareGameOf, type Seat } from "../../jobs/matchups.js";
import { AppError } from "../../protocol/errors.js";
import type { Color, GamePlayer, LiveState } from "../../protocol/types.js";
import { loadGameRecord } from "../../store/game-store.js";
import { isGuestName } from "../../store/guests.js";
import {
  endRematch,
  offerRematch,
  pendingRematch,
  rematchOf,
  type RematchPlayers,
} from "../../store/rematch.js";
import type { ActionContext, Handler } from "../dispatch.js";

/** Offers that lose to a concurrent offer are tried again; more is a real fault. */
const MAX_ATTEMPTS = 5;

const seat = (p: GamePlayer): Seat => ({
  id: p.id,
  username: p.username,
  guest: isGuestName(p.username),
});

/** The finished game's players and the colour `userId` had in it. */
async function playersOf(ctx: Pick<AppContext, "redis" | "keys">, gameId: string, userId: string) {
  const record = await loadGameRecord(ctx, gameId);
  if (record === null) throw new AppError("NOT_FOUND");
  const { game } = record;
  const color = colorOf({ whiteId: game.white.id, blackId: game.black.id }, userId);
  if (color === null) throw new AppError("NOT_YOUR_GAME");
  const players: RematchPlayers = { gameId, white: game.white, black: game.black };
  return { game, players, color };
}

const offer: Handler<"game/OFFER_REMATCH"> = async ({ app, user }, { gameId }) => {
  const { game, players, color } = await playersOf(app, gameId, user.userId);
  if (game.status !== "ended") throw new AppError("BUSY", "The game is still being played.");
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // The new game is prepared (ratings read from MongoDB) only when this offer accepts one.
    const accepting = (await pendingRematch(app, gameId)) === opposite(color);
    const next = accepting
      ? await prepareGameOf(app, {
          timeControl: game.timeControl,
          rated: game.rated,
          white: seat(game.black),
          black: seat(game.white),
        })
      : null;
    const reply = await offerRematch(app, players, color, next);
    switch (reply.code) {
      case "OFFERED":
        return {};
      case "STARTED":
        return { state: { status: "playing", gameId: reply.gameId } satisfies LiveState };
      case "PREPARE":
        continue;
      case "RATE_LIMITED":
        throw new AppError("RATE_LIMITED", "At most two rematch offers a minute.");
      default:
        throw new AppError(reply.code);
    }
  }
  throw new AppError("INTERNAL", "The offer changed too often; try again.");
};

const decline: Handler<"game/DECLINE_REMATCH"> = async ({ app, user }, { gameId }) => {
  const { players, color } = await playersOf(app, gameId, user.userId);
  if ((await endRematch(app, players, color, "decline")) !== "ENDED")
    throw new AppError("NO_REMATCH_OFFER");
};

/**
 * Lapses the rematch offer that involves `userId`, who has just started something else (a queue,
 * a challenge). A lapse that this misses (Redis away, or the instance dying right now) still
 * cannot start a game: acceptance needs both players idle, and the offer ends after REMATCH_MS.
 */
export async function lapseRematch(app: AppContext, userId: string): Promise<void> {
  const gameId = await rematchOf(app, userId);
  if (gameId === null) return;
  const found = await loadGameRecord(app, gameId);
  if (found === null) return;
  const { white, black } = found.game;
  const color: Color = white.id === userId ? "white" : "black";
  await endRematch(app, { gameId, white, black }, color, "lapse");
}

/** Lapses after a step that started something, logging rather than failing the step. */
export async function lapseAfter({ app, user }: ActionContext): Promise<void> {
  await lapseRematch(app, user.userId).catch((err: unknown) =>
    app.log.warn({ err, userId: user.userId }, "rematch offer not lapsed"),
  );
}

export const rematchHandlers = {
  "game/OFFER_REMATCH": offer,
  "game/DECLINE_REMATCH": decline,
};
