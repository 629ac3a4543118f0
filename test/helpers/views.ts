// The rules view of a game at its start, between users W (white) and B (black), for unit tests.
import { INITIAL_FEN, repetitionKey } from "../../src/domain/chess.js";
import type { GameView } from "../../src/domain/game.js";

export function startView(id: string): GameView {
  return {
    id,
    status: "started",
    ply: 0,
    takebacks: 0,
    fen: INITIAL_FEN,
    reps: [repetitionKey(INITIAL_FEN)],
    drawOffer: null,
    whiteId: "W",
    blackId: "B",
  };
}
