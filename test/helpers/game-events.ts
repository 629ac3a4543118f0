// What one test client received of a game's events.
import type { GameEvent } from "../../src/protocol/types.js";
import type { TestClient } from "./client.js";

/** Every game event one client received for a game, in the order received. */
export function eventsOf(client: TestClient, gameId: string): GameEvent[] {
  return client.received.filter(
    (a): a is GameEvent =>
      [
        "client/UPDATE_GAME",
        "client/OFFER_DRAW",
        "client/DRAW_DECLINED",
        "client/GAME_OVER",
      ].includes(a.type) && (a.payload as { gameId: string }).gameId === gameId,
  );
}

export const versions = (events: GameEvent[]) => events.map((e) => e.payload.v);
