// The live game as the client holds it: the server's game object, advanced by client/UPDATE_GAME
// one ply at a time. A ply that does not follow is a gap, and the caller resyncs.
import type { Color, Game, ServerEvents } from "../../protocol/types.js";

export type GameUpdate = ServerEvents["client/UPDATE_GAME"];
export type GameOver = ServerEvents["client/GAME_OVER"];

/** What to do with an update: apply it, ignore it (already seen, or another game), or resync. */
export function classifyUpdate(game: Game | null, update: GameUpdate): "apply" | "ignore" | "gap" {
  if (game === null || game.id !== update.gameId) return "ignore";
  if (update.ply <= game.ply) return "ignore";
  return update.ply === game.ply + 1 ? "apply" : "gap";
}

export function applyUpdate(game: Game, update: GameUpdate): Game {
  return {
    ...game,
    ply: update.ply,
    fen: update.fen,
    moves: [...game.moves, update.move.uci],
    san: [...game.san, update.move.san],
    turn: update.fen.split(" ")[1] === "b" ? "black" : "white",
    clock: update.clock,
    drawOffer: update.drawOffer,
  };
}

export function applyGameOver(game: Game, over: GameOver): Game {
  return {
    ...game,
    status: "ended",
    result: over.result,
    reason: over.reason,
    winner: over.winner,
    drawOffer: null,
    clock: { ...game.clock, running: false },
  };
}

export function colorOf(game: Game, userId: string | undefined): Color | null {
  if (game.white.id === userId) return "white";
  if (game.black.id === userId) return "black";
  return null;
}

export function opposite(color: Color): Color {
  return color === "white" ? "black" : "white";
}

/** "1-0 · White wins by checkmate" and friends, from the player's point of view when playing. */
export function outcomeHeadline(game: Game, me: Color | null): string {
  if (game.reason === "aborted") return "Game aborted";
  if (game.winner === null) return "Draw";
  if (me === null) return `${game.winner === "white" ? "White" : "Black"} wins`;
  return game.winner === me ? "You won" : "You lost";
}
