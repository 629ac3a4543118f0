// A cache of the live games this instance's sockets play, so a move is planned without loading
// the game first: the instance sees every event of those games on their channels (game-feeds.ts)
// and advances its copy with the same pure step as after its own commits (viewAfterMove). A copy
// that is stale is caught by the commit's compare-and-set on the position (ply and takebacks), then
// reloaded; it is never the truth.
import { viewAfterMove, type GameView } from "../domain/game.js";
import type { GameEvent } from "../protocol/types.js";

const MAX_ENTRIES = 50_000;

/** Whether `a` is a later position of the game than `b` (a takeback lowers the ply). */
const isAfter = (a: GameView, b: GameView): boolean =>
  a.takebacks !== b.takebacks ? a.takebacks > b.takebacks : a.ply > b.ply;

export class GameCache {
  private readonly entries = new Map<string, GameView>();

  get(gameId: string): GameView | undefined {
    return this.entries.get(gameId);
  }

  set(view: GameView): void {
    this.entries.delete(view.id);
    if (view.status !== "started") return;
    this.entries.set(view.id, view);
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Stores the copy after this instance's own commit, unless the cache already went past it. */
  advance(view: GameView): void {
    const current = this.entries.get(view.id);
    if (current !== undefined && isAfter(current, view)) return;
    this.set(view);
  }

  /** Forgets every copy: after a gap in what this instance heard (its subscriber reconnected). */
  clear(): void {
    this.entries.clear();
  }

  delete(gameId: string): void {
    this.entries.delete(gameId);
  }

  /** Advances a cached game by an event; anything that does not follow on drops the copy. */
  observe(event: GameEvent): void {
    const gameId = event.payload.gameId;
    const view = this.entries.get(gameId);
    if (view === undefined) return;
    switch (event.type) {
      case "client/UPDATE_GAME": {
        const p = event.payload;
        if (p.ply === view.ply) return; // our own commit, already applied
        if (p.ply !== view.ply + 1) return this.delete(gameId);
        this.entries.set(gameId, viewAfterMove(view, p));
        return;
      }
      case "client/OFFER_DRAW":
        this.entries.set(gameId, { ...view, drawOffer: event.payload.by });
        return;
      case "client/DRAW_DECLINED":
        this.entries.set(gameId, { ...view, drawOffer: null });
        return;
      case "client/TAKEBACK":
      case "client/GAME_OVER":
        return this.delete(gameId);
    }
  }
}
