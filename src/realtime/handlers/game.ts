// Live game actions: PLAYER_READY, PLAYER_MOVE, OFFER_DRAW, DECLINE_DRAW, CONCEDE, and RESUME_GAME
// on every connection. Each action: plan on the cached (or loaded) game → one Lua commit that
// compares the ply → publish. A stale copy costs one reload; it never decides a refusal alone.
import type { Socket } from "socket.io";
import type { AppContext } from "../../context.js";
import { planAction, planMove, resultOf, type GameAction } from "../../domain/game.js";
import { AppError } from "../../protocol/errors.js";
import {
  commitAction,
  commitMove,
  loadLiveGame,
  type LiveGame,
} from "../../store/game-commands.js";
import {
  gameOverEvent,
  publishGameOver,
  publishToGame,
  sendGameOverOutsideRoom,
} from "../../store/game-events.js";
import { loadGame } from "../../store/game-store.js";
import { rooms } from "../../store/keys.js";
import { getStoredLiveState } from "../../store/live-state.js";
import { emitTo, type ActionContext, type HandlerTable, type SocketUser } from "../dispatch.js";

/** Commits lost to a concurrent transition are replanned; more than this is a real fault. */
const MAX_ATTEMPTS = 5;

/** The game from this instance's cache, or loaded from Redis (then `fresh`). */
async function getGame(
  app: AppContext,
  gameId: string,
  reload: boolean,
): Promise<{ live: LiveGame; fresh: boolean }> {
  const cached = reload ? undefined : app.gameCache?.get(gameId);
  if (cached) return { live: cached, fresh: false };
  const live = await loadLiveGame(app, gameId);
  if (live === null) throw new AppError("NOT_FOUND");
  app.gameCache?.set(live);
  return { live, fresh: true };
}

async function move(ctx: ActionContext, p: { gameId: string; move: string; ply: number }) {
  const { app, user } = ctx;
  let reload = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { live, fresh } = await getGame(app, p.gameId, reload);
    reload = true;
    // A snapshot: the cache may advance `live.view` (the script's own publish can arrive before
    // its reply), and the copy written after the commit must be built on what was planned on.
    const view = live.view;
    const plan = planMove(view, user.userId, p.move, p.ply);
    if (!plan.ok) {
      if (fresh) throw new AppError(plan.code);
      continue;
    }
    const outcome = plan.outcome;
    const gameOver =
      outcome === null
        ? null
        : gameOverEvent(live.meta, {
            result: resultOf(outcome.winner),
            reason: outcome.reason,
            winner: outcome.winner ?? "",
          });
    const reply = await commitMove(app, view, plan, gameOver ? JSON.stringify(gameOver) : "");
    if (reply.code === "CONFLICT") continue;
    if (reply.code === "NOT_FOUND" || reply.code === "GAME_OVER") {
      app.gameCache?.delete(p.gameId);
      throw new AppError(reply.code);
    }
    if (reply.code === "ENDED") {
      app.gameCache?.delete(p.gameId);
      await publishGameOver(app, live.meta, reply);
      throw new AppError("GAME_OVER", "Your time ran out before the move arrived.");
    }
    const drawOffer = reply.drawOffer === "" ? null : reply.drawOffer;
    app.gameCache?.advance({
      meta: live.meta,
      view: {
        ...view,
        ply: reply.ply,
        fen: plan.fen,
        reps: plan.irreversible ? [plan.repetitionKey] : [...view.reps, plan.repetitionKey],
        drawOffer,
        status: reply.ended ? "ended" : "started",
      },
    });
    // The move script has published client/UPDATE_GAME, and GAME_OVER when the move ended the
    // game; the players' sockets outside the game room learn of the end from here.
    if (gameOver !== null) sendGameOverOutsideRoom(app, live.meta, gameOver);
    return { ply: reply.ply };
  }
  throw new AppError("INTERNAL", "The game changed too often; try again.");
}

async function act(ctx: ActionContext, gameId: string, action: GameAction) {
  const { app, user } = ctx;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Actions are rare: plan on a fresh load, so a refusal is always decided on the truth.
    const { live } = await getGame(app, gameId, true);
    const plan = planAction(live.view, user.userId, action);
    if (!plan.ok) throw new AppError(plan.code);
    const reply = await commitAction(app, live.view, action, plan.color, plan.flagIsDraw);
    if (reply.code === "CONFLICT") continue;
    if (reply.code !== "OK" && reply.code !== "ENDED") throw new AppError(reply.code);
    if (reply.code === "ENDED") {
      app.gameCache?.delete(gameId);
      await publishGameOver(app, live.meta, reply);
      throw new AppError("GAME_OVER");
    }
    if (reply.event === "ended") {
      app.gameCache?.delete(gameId);
      await publishGameOver(app, live.meta, reply.ended);
    } else {
      const type = reply.event === "offered" ? "client/OFFER_DRAW" : "client/DRAW_DECLINED";
      await publishToGame(app, gameId, { type, payload: { gameId, by: plan.color } });
    }
    return;
  }
  throw new AppError("INTERNAL", "The game changed too often; try again.");
}

/** Puts the socket in the game's room, then sends it the whole game: it misses no event after. */
async function sendGame(app: AppContext, socket: Socket, gameId: string): Promise<boolean> {
  await socket.join(rooms.game(gameId));
  await app.gameChannels?.ready(gameId);
  const game = await loadGame(app, gameId);
  if (game === null) return false;
  emitTo(socket, { type: "client/RESUME_GAME", payload: { game } });
  return true;
}

export const gameHandlers: HandlerTable = {
  "game/PLAYER_READY": async ({ app, socket }, p) => {
    if (!(await sendGame(app, socket, p.gameId))) {
      await socket.leave(rooms.game(p.gameId));
      throw new AppError("NOT_FOUND");
    }
  },
  "game/PLAYER_MOVE": move,
  "game/OFFER_DRAW": (ctx, p) => act(ctx, p.gameId, "offer"),
  "game/DECLINE_DRAW": (ctx, p) => act(ctx, p.gameId, "decline"),
  "game/CONCEDE": (ctx, p) => act(ctx, p.gameId, "resign"),
};

/** On every connection while the user plays: RESUME_GAME after RESUME_SESSION. */
export async function resumeGame(app: AppContext, socket: Socket, user: SocketUser): Promise<void> {
  const state = await getStoredLiveState(app, user.userId);
  if (state.status === "playing") await sendGame(app, socket, state.gameId);
}
