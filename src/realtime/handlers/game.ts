// Live game actions: PLAYER_READY, PLAYER_MOVE, OFFER_DRAW, DECLINE_DRAW, CONCEDE, GIVE_TIME,
// PROPOSE_TAKEBACK, DECLINE_TAKEBACK, CLAIM_VICTORY, WATCH, UNWATCH, and RESUME_GAME on every
// connection. Each action: plan on the cached (or loaded) game → one Lua commit that
// compares the ply and publishes its events. A stale copy costs one reload; it never decides a
// refusal alone.
import { canMate } from "../../domain/chess.js";
import {
  opposite,
  planAction,
  planMove,
  viewAfterMove,
  type GameAction,
  type GameView,
} from "../../domain/game.js";
import { takebackTarget } from "../../domain/takeback.js";
import { AppError } from "../../protocol/errors.js";
import type { LiveState } from "../../protocol/types.js";
import {
  commitAction,
  commitMove,
  commitTakeback,
  loadLiveGame,
  viewOf,
  type ActionReply,
} from "../../store/game-commands.js";
import { loadGameRecord, type GameRecord } from "../../store/game-store.js";
import { getStoredLiveState } from "../../store/live-state.js";
import type { ActionContext, HandlerTable } from "../dispatch.js";
import { roundTripOf } from "../round-trip.js";

/** Commits lost to a concurrent transition are replanned; more than this is a real fault. */
const MAX_ATTEMPTS = 5;

/** The game from this instance's cache, or loaded from Redis (then `fresh`). */
async function getGame(
  { app, rt }: ActionContext,
  gameId: string,
  reload: boolean,
): Promise<{ view: GameView; fresh: boolean }> {
  const cached = reload ? undefined : rt.cache.get(gameId);
  if (cached) return { view: cached, fresh: false };
  const view = await loadLiveGame(app, gameId);
  if (view === null) throw new AppError("NOT_FOUND");
  rt.cache.set(view);
  return { view, fresh: true };
}

async function move(
  ctx: ActionContext,
  p: { gameId: string; move: string; ply: number; lag?: number | undefined },
) {
  const { app, rt, user, socket } = ctx;
  // The client's claim is believed up to this instance's own measure of the socket's round trip.
  const lagMs = Math.min(Math.round(p.lag ?? 0), roundTripOf(socket));
  let reload = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // `view` is a snapshot: the cache may move on (the script's own publish can arrive before its
    // reply), and the copy stored after the commit must be built on what was planned on.
    const { view, fresh } = await getGame(ctx, p.gameId, reload);
    reload = true;
    const plan = planMove(view, user.userId, p.move, p.ply);
    if (!plan.ok) {
      if (fresh) throw new AppError(plan.code);
      continue;
    }
    const reply = await commitMove(app, view, plan, lagMs);
    if (reply.code === "CONFLICT") continue;
    if (reply.code !== "OK") {
      rt.cache.delete(p.gameId);
      if (reply.code === "ENDED")
        throw new AppError("GAME_OVER", "Your time ran out before the move arrived.");
      throw new AppError(reply.code);
    }
    const drawOffer = reply.drawOffer === "" ? null : reply.drawOffer;
    const next = viewAfterMove(view, { ply: reply.ply, fen: plan.fen, drawOffer }, plan);
    rt.cache.advance(reply.ended ? { ...next, status: "ended" } : next);
    return { ply: reply.ply };
  }
  throw new AppError("INTERNAL", "The game changed too often; try again.");
}

/** The whole live game, loaded fresh (actions are rare: a refusal is decided on the truth). */
async function loadRecord({ app, rt }: ActionContext, gameId: string): Promise<GameRecord> {
  const record = await loadGameRecord(app, gameId);
  if (record === null) throw new AppError("NOT_FOUND");
  if (record.game.status === "started") rt.cache.set(viewOf(record));
  return record;
}

/** The answer to one committed action: done (true), replan (false), or a refusal thrown. */
function settle({ rt }: ActionContext, gameId: string, reply: ActionReply): boolean {
  if (reply.code === "CONFLICT") return false;
  if (reply.code === "ENDED") {
    rt.cache.delete(gameId);
    throw new AppError("GAME_OVER");
  }
  if (reply.code === "RATE_LIMITED") throw new AppError(reply.code, reply.message);
  if (reply.code === "OPPONENT_PRESENT") {
    const wait = reply.waitMs === undefined ? undefined : Math.ceil(reply.waitMs / 1000);
    const message =
      wait === undefined ? reply.message : `Your opponent left; you may claim in ${wait} s.`;
    throw new AppError(reply.code, message);
  }
  if (reply.code !== "OK") throw new AppError(reply.code);
  if (reply.event === "ended") rt.cache.delete(gameId);
  return true;
}

async function act(ctx: ActionContext, gameId: string, action: GameAction) {
  const { app, user } = ctx;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await loadRecord(ctx, gameId);
    const view = viewOf(record);
    const plan = planAction(view, user.userId, action, record.takebackOffer);
    if (!plan.ok) throw new AppError(plan.code);
    const claim =
      action === "claim"
        ? {
            claimantCannotMate: !canMate(view.fen, plan.color),
            goneMs: app.config.GONE_MS,
            staleMs: ctx.rt.presence.staleMs,
          }
        : undefined;
    const reply = await commitAction(app, view, action, plan.color, plan.flagIsDraw, claim);
    if (settle(ctx, gameId, reply)) return;
  }
  throw new AppError("INTERNAL", "The game changed too often; try again.");
}

/** Proposes to take back one's last move, or accepts the opponent's pending proposal. */
async function proposeTakeback(ctx: ActionContext, gameId: string) {
  const { app, rt, user } = ctx;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await loadRecord(ctx, gameId);
    const view = viewOf(record);
    const plan = planAction(view, user.userId, "takeback", record.takebackOffer);
    if (!plan.ok) throw new AppError(plan.code);
    const proposer = opposite(plan.color);
    if (record.takebackOffer !== proposer) {
      const reply = await commitAction(app, view, "takeback", plan.color, plan.flagIsDraw);
      if (settle(ctx, gameId, reply)) return;
      continue;
    }
    const g = record.game;
    const target = takebackTarget(
      { ...g, clocks: record.clocks, initialMs: g.timeControl.initialMs },
      proposer,
    );
    if (target === null) throw new AppError("INTERNAL", "This game's moves cannot be replayed.");
    const reply = await commitTakeback(app, view, plan.color, plan.flagIsDraw, target);
    // Lapsed meanwhile (a move came first): plan again on what the game is now.
    if (reply.code === "CONFLICT" || reply.code === "NO_TAKEBACK_OFFER") continue;
    rt.cache.delete(gameId);
    if (reply.code === "ENDED") throw new AppError("GAME_OVER");
    if (reply.code !== "OK") throw new AppError(reply.code);
    return;
  }
  throw new AppError("INTERNAL", "The game changed too often; try again.");
}

export const gameHandlers: HandlerTable = {
  "game/PLAYER_READY": async ({ rt, socket }, p) => {
    const found =
      p.v === undefined
        ? await rt.feeds.resume(socket, p.gameId)
        : await rt.feeds.catchUp(socket, p.gameId, p.v);
    if (!found) throw new AppError("NOT_FOUND");
  },
  "game/PLAYER_MOVE": move,
  "game/OFFER_DRAW": (ctx, p) => act(ctx, p.gameId, "offer"),
  "game/DECLINE_DRAW": (ctx, p) => act(ctx, p.gameId, "decline"),
  "game/CONCEDE": (ctx, p) => act(ctx, p.gameId, "resign"),
  "game/GIVE_TIME": (ctx, p) => act(ctx, p.gameId, "give"),
  "game/PROPOSE_TAKEBACK": (ctx, p) => proposeTakeback(ctx, p.gameId),
  "game/DECLINE_TAKEBACK": (ctx, p) => act(ctx, p.gameId, "decline-takeback"),
  "game/CLAIM_VICTORY": (ctx, p) => act(ctx, p.gameId, "claim"),
  // Anyone may watch: the game's events reach the socket as they reach the players'. Acting
  // stays refused (NOT_YOUR_GAME), since the game's own checks name its two players.
  "game/WATCH": async ({ rt, socket }, p) => {
    if (!(await rt.feeds.resume(socket, p.gameId))) throw new AppError("NOT_FOUND");
    await rt.presence.sendCrowd(socket, p.gameId);
  },
  "game/UNWATCH": async ({ app, rt, socket, user }, p) => {
    // A player's own game stays with its sockets: they would miss its events otherwise.
    const state = await getStoredLiveState(app, user.userId);
    if (state.status === "playing" && state.gameId === p.gameId) return;
    rt.feeds.close(socket, p.gameId);
  },
};

/**
 * On every connection while the user plays: RESUME_GAME after RESUME_SESSION. A socket resumed
 * again (its instance's subscriber reconnected) that holds the game already gets none: its feed
 * fills the gap from the log, event by event.
 */
export async function resumeGame({ rt, socket }: ActionContext, told: LiveState): Promise<void> {
  if (told.status !== "playing" || rt.feeds.holds(socket, told.gameId)) return;
  if (await rt.feeds.resume(socket, told.gameId)) await rt.presence.sendCrowd(socket, told.gameId);
}
