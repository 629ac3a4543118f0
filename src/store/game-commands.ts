// The atomic steps of a live game, as typed calls: each runs one Lua script that compares the
// position it was planned on (ply and takebacks: `positionStamp`), reads Redis TIME, commits, and
// logs and publishes the events it makes (or ends the game on a passed deadline).
import type { AppContext } from "../context.js";
import { positionStamp, type GameAction, type GameView, type MovePlan } from "../domain/game.js";
import type { TakebackTarget } from "../domain/takeback.js";
import type { Color, GameReason, GameResult } from "../protocol/types.js";
import { finishEndedGame } from "./game-end.js";
import { loadGameRecord, type GameRecord } from "./game-store.js";
import { LuaScript } from "./lua-script.js";

const COMMON = ["game-common"];
const moveScript = LuaScript.load("game-move-3", COMMON);
const actionScript = LuaScript.load("game-action-4", COMMON);
const takebackScript = LuaScript.load("game-takeback-3", COMMON);
const deadlineScript = LuaScript.load("game-deadline-3", COMMON);

/** How a game ended, as the ending script reports it (strings are "" where the wire has null). */
export interface EndInfo {
  v: number;
  ply: number;
  result: GameResult | "";
  reason: GameReason;
  winner: Color | "";
  endedAt: number;
  whiteMs: number;
  blackMs: number;
}

type Miss = { code: "NOT_FOUND" } | { code: "GAME_OVER" } | { code: "CONFLICT" };
type Ended = { code: "ENDED" } & EndInfo;

export type MoveReply =
  | Miss
  | Ended
  | {
      code: "OK";
      v: number;
      ply: number;
      whiteMs: number;
      blackMs: number;
      running: boolean;
      serverTime: number;
      drawOffer: Color | "";
      /** The lag given back to the mover, ms. */
      credit: number;
      ended?: EndInfo;
    };

export type ActionReply =
  | Miss
  | Ended
  | { code: "NO_DRAW_OFFER" | "NO_TAKEBACK_OFFER" | "NO_MOVE_TO_TAKE_BACK" }
  | { code: "RATE_LIMITED"; message: string }
  | { code: "OPPONENT_PRESENT"; message?: string; waitMs?: number }
  | {
      code: "OK";
      event:
        "offered" | "declined" | "clock" | "takeback-offered" | "takeback-declined" | "pending";
      v: number;
    }
  | { code: "OK"; event: "ended"; ended: EndInfo };

export type TakebackReply =
  Miss | Ended | { code: "NO_TAKEBACK_OFFER" } | { code: "OK"; v: number; ply: number };

/** What a claim of an abandoned game is judged by (game-action-4.lua). */
export interface ClaimRules {
  /** The claimant has no mating material: its claim is a draw. */
  claimantCannotMate: boolean;
  goneMs: number;
  /** A presence refresh older than this is an instance that died. */
  staleMs: number;
}

export type DeadlineReply =
  { code: "GONE" | "CONFLICT" } | { code: "NOT_DUE"; deadline: number } | Ended;

type Ctx = Pick<AppContext, "redis" | "keys" | "config">;
type Players = Pick<GameView, "id">;

/** The game's own keys, all in its slot (game-common.lua). */
function gameKeys(ctx: Ctx, gameId: string): string[] {
  const k = ctx.keys;
  return [k.game(gameId), k.deadlinesOf(gameId), k.gameLog(gameId)];
}

/** Whether a game script's reply says that it ended the game. */
function endedBy(reply: { code: string; ended?: unknown; event?: string }): boolean {
  return reply.code === "ENDED" || reply.ended !== undefined || reply.event === "ended";
}

/** Every game script takes the game's event channel as its last argument (game-common.lua). */
async function run<T>(
  script: LuaScript,
  ctx: Ctx,
  g: Players,
  args: (string | number)[],
  extraKeys: string[] = [],
): Promise<T> {
  const argv = [...args, ctx.keys.gameEvents(g.id)];
  const keys = [...gameKeys(ctx, g.id), ...extraKeys];
  const reply = JSON.parse((await script.run(ctx.redis, keys, argv)) as string) as T & {
    code: string;
  };
  // The players are freed and the game queued for archiving before the ack. A crash first, or a
  // follow-up refused (Redis away), leaves that to the intent the script scheduled, due in 5 s:
  // the step itself stands, so its reply is the caller's either way.
  if (endedBy(reply)) await finishEndedGame(ctx, g.id).catch(() => undefined);
  return reply;
}

/**
 * Commits a move; the script publishes its client/UPDATE_GAME and, when the move ends the game by
 * the rules, client/GAME_OVER, all in the one atomic step. `lagMs` is what the mover may be
 * credited (the least of its claim and this instance's estimate); the script bounds it by the quota.
 */
export function commitMove(
  ctx: Ctx,
  view: GameView,
  plan: MovePlan,
  lagMs = 0,
): Promise<MoveReply> {
  return run<MoveReply>(moveScript, ctx, view, [
    positionStamp(view),
    plan.uci,
    plan.san,
    plan.fen,
    plan.repetitionKey,
    plan.irreversible ? "1" : "0",
    plan.outcome?.reason ?? "",
    plan.outcome?.winner ?? "",
    plan.moverFlagIsDraw ? "1" : "0",
    ctx.config.FIRST_MOVE_MS,
    lagMs,
  ]);
}

export function commitAction(
  ctx: Ctx,
  view: GameView,
  action: GameAction,
  color: Color,
  flagIsDraw: boolean,
  claim: ClaimRules = { claimantCannotMate: false, goneMs: 0, staleMs: 0 },
): Promise<ActionReply> {
  return run<ActionReply>(
    actionScript,
    ctx,
    view,
    [
      positionStamp(view),
      action,
      color,
      flagIsDraw ? "1" : "0",
      claim.claimantCannotMate ? "1" : "0",
      claim.goneMs,
      claim.staleMs,
    ],
    [ctx.keys.gamePresence(view.id)],
  );
}

/** Commits an accepted takeback (`color` accepts the opponent's proposal), planned on `view`. */
export function commitTakeback(
  ctx: Ctx,
  view: GameView,
  color: Color,
  flagIsDraw: boolean,
  target: TakebackTarget,
): Promise<TakebackReply> {
  return run<TakebackReply>(takebackScript, ctx, view, [
    positionStamp(view),
    color,
    flagIsDraw ? "1" : "0",
    target.ply,
    target.fen,
    target.reps.join("|"),
    target.moves.join(" "),
    target.san.join(" "),
    target.clocks.join(" "),
    target.whiteMs,
    target.blackMs,
    ctx.config.FIRST_MOVE_MS,
  ]);
}

/** Ends the game if its deadline has passed; `view` must be fresh for `flagIsDraw` to hold. */
export function endIfDue(ctx: Ctx, view: GameView, flagIsDraw: boolean): Promise<DeadlineReply> {
  return run<DeadlineReply>(deadlineScript, ctx, view, [
    flagIsDraw ? "1" : "0",
    positionStamp(view),
  ]);
}

export function viewOf(record: GameRecord): GameView {
  const g = record.game;
  return {
    id: g.id,
    status: g.status,
    ply: g.ply,
    takebacks: record.takebacks,
    fen: g.fen,
    reps: record.reps,
    drawOffer: g.drawOffer,
    whiteId: g.white.id,
    blackId: g.black.id,
  };
}

/** A live game as the instance plans on it, loaded from Redis. */
export async function loadLiveGame(
  ctx: Pick<AppContext, "redis" | "keys">,
  gameId: string,
): Promise<GameView | null> {
  const record = await loadGameRecord(ctx, gameId);
  return record === null ? null : viewOf(record);
}

/** The logged events of a game, oldest first (at most the last LOG_LENGTH of game-common.lua). */
export async function loadGameLog(
  ctx: Pick<AppContext, "redis" | "keys">,
  gameId: string,
): Promise<string[]> {
  return ctx.redis.lRange(ctx.keys.gameLog(gameId), 0, -1);
}
