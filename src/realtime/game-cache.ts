// A cache of the live games this instance's sockets play, so a move is planned without loading
// the game first: the instance sees every event of those games on their channels
// (game-channels.ts) and advances its copy. A copy that is stale is
// caught by the commit's compare-and-set on ply, then reloaded; it is never the truth.
import { repetitionKey } from "../domain/chess.js";
import type { ServerAction } from "../protocol/types.js";
import type { LiveGame } from "../store/game-commands.js";

const MAX_ENTRIES = 50_000;

export class GameCache {
  private readonly entries = new Map<string, LiveGame>();

  get(gameId: string): LiveGame | undefined {
    return this.entries.get(gameId);
  }

  set(game: LiveGame): void {
    if (game.view.status !== "started") return void this.entries.delete(game.view.id);
    this.entries.delete(game.view.id);
    this.entries.set(game.view.id, game);
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Stores the copy after this instance's own commit, unless the cache already went past it. */
  advance(game: LiveGame): void {
    const current = this.entries.get(game.view.id);
    if (current !== undefined && current.view.ply > game.view.ply) return;
    this.set(game);
  }

  delete(gameId: string): void {
    this.entries.delete(gameId);
  }

  /** Advances a cached game by an event; anything that does not follow on drops the copy. */
  observe(action: ServerAction): void {
    const gameId = (action.payload as { gameId?: string }).gameId;
    if (gameId === undefined) return;
    const entry = this.entries.get(gameId);
    if (entry === undefined) return;
    const view = entry.view;
    switch (action.type) {
      case "client/UPDATE_GAME": {
        const p = action.payload;
        if (p.ply === view.ply) return; // our own commit, already applied
        if (p.ply !== view.ply + 1) return this.delete(gameId);
        const key = repetitionKey(p.fen);
        const irreversible = p.fen.split(" ")[4] === "0";
        entry.view = {
          ...view,
          ply: p.ply,
          fen: p.fen,
          reps: irreversible ? [key] : [...view.reps, key],
          drawOffer: p.drawOffer,
        };
        return;
      }
      case "client/OFFER_DRAW":
        entry.view = { ...view, drawOffer: action.payload.by };
        return;
      case "client/DRAW_DECLINED":
        entry.view = { ...view, drawOffer: null };
        return;
      case "client/GAME_OVER":
        return this.delete(gameId);
    }
  }
}
