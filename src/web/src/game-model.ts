// The live game as the client holds it: the server's game object, advanced by its events in order
// of `v`, each the game's previous `v` + 1 (PROTOCOL.md, "Game events and their versions"). An
// event past the next one is a gap: the caller holds it back and asks for those in between.
import type { Color, Game, GameEvent, ServerEvents } from "../../protocol/types.js";

export type GameUpdate = ServerEvents["client/UPDATE_GAME"];
export type GameOver = ServerEvents["client/GAME_OVER"];
export type Crowd = ServerEvents["client/CROWD"];

/** What to do with an event: apply it, ignore it (already seen, or another game), or repair. */
export function classifyEvent(game: Game | null, event: GameEvent): "apply" | "ignore" | "gap" {
  const { gameId, v } = event.payload;
  if (game === null || game.id !== gameId || v <= game.v) return "ignore";
  return v === game.v + 1 ? "apply" : "gap";
}

/** The game after its next event (the caller has classified it "apply"). */
export function applyEvent(game: Game, event: GameEvent): Game {
  const v = event.payload.v;
  switch (event.type) {
    case "client/UPDATE_GAME":
      return { ...applyUpdate(game, event.payload), v };
    case "client/OFFER_DRAW":
      return { ...game, drawOffer: event.payload.by, v };
    case "client/DRAW_DECLINED":
      return { ...game, drawOffer: null, v };
    case "client/TAKEBACK_OFFERED":
    case "client/TAKEBACK_DECLINED":
      return { ...game, v };
    case "client/TAKEBACK": {
      const { ply, fen, clock } = event.payload;
      const turn = fen.split(" ")[1] === "b" ? "black" : "white";
      const [moves, san] = [game.moves.slice(0, ply), game.san.slice(0, ply)];
      return { ...game, ply, fen, clock, turn, moves, san, drawOffer: null, v };
    }
    case "client/UPDATE_CLOCK":
      return { ...game, clock: event.payload.clock, v };
    case "client/GAME_OVER":
      return { ...applyGameOver(game, event.payload), v };
  }
}

/**
 * Applies the held events that now follow the game, in order of `v`, and forgets those it already
 * includes (a RESUME_GAME may have brought them). What stays in `held` still waits behind a gap.
 */
export function applyHeld(
  game: Game,
  held: Map<number, GameEvent>,
): { game: Game; applied: GameEvent[] } {
  for (const v of held.keys()) if (v <= game.v) held.delete(v);
  const applied: GameEvent[] = [];
  for (let next = held.get(game.v + 1); next !== undefined; next = held.get(game.v + 1)) {
    held.delete(next.payload.v);
    game = applyEvent(game, next);
    applied.push(next);
  }
  return { game, applied };
}

function applyUpdate(game: Game, update: GameUpdate): Game {
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

function applyGameOver(game: Game, over: GameOver): Game {
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

/** "alice connected · bob not connected · 3 watchers" */
export function crowdText(game: Game, crowd: Crowd): string {
  const seat = (c: Color) => `${game[c].username} ${crowd[c] ? "connected" : "not connected"}`;
  const n = crowd.watchers;
  return `${seat("white")} · ${seat("black")} · ${n} ${n === 1 ? "watcher" : "watchers"}`;
}

/** "3+2 blitz · rated", for the list of live games. */
export function gameTerms(game: Game): string {
  const tc = game.timeControl;
  return `${tc.label} ${tc.speed} · ${game.rated ? "rated" : "casual"}`;
}

/** "Move 12, black to play", or "No move yet" before the first move. */
export function gameProgress(game: Game): string {
  if (game.ply === 0) return "No move yet";
  return `Move ${Math.floor(game.ply / 2) + 1}, ${game.turn} to play`;
}
