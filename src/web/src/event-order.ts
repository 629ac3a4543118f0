// Keeps one followed game's events in order of `v`, for a player's game and a watched one alike:
// events ahead of a gap wait, and the gap is asked for once (game/PLAYER_READY {gameId, v}); the
// answer (the missing events, or a whole game) fills every gap seen meanwhile too.
import type { Ack, Game, GameEvent } from "../../protocol/types.js";
import { applyHeld, classifyEvent } from "./game-model.js";

export type Send = (type: string, payload: unknown) => Promise<Ack>;

export class EventOrder {
  /** Events not yet applied, by `v`: those that came in ahead of a gap. */
  private readonly held = new Map<number, GameEvent>();
  /** A game/PLAYER_READY {v} is on its way. */
  private repairing = false;

  constructor(private readonly send: Send) {}

  /** A whole game arrived (START_GAME, RESUME_GAME): it answers any repair. */
  loaded(sameGame: boolean): void {
    this.repairing = false;
    if (!sameGame) this.held.clear();
  }

  /** Keeps an event of `game` for `catchUp`; false when it is of another game or already seen. */
  hold(game: Game | null, event: GameEvent): boolean {
    if (classifyEvent(game, event) === "ignore") return false;
    this.held.set(event.payload.v, event);
    return true;
  }

  /** Applies the held events that follow the game; a gap left asks once for what it misses. */
  catchUp(before: Game): { game: Game; applied: GameEvent[] } {
    const { game, applied } = applyHeld(before, this.held);
    if (this.held.size === 0) this.repairing = false;
    else if (!this.repairing) {
      this.repairing = true;
      void this.send("game/PLAYER_READY", { gameId: game.id, v: game.v }).then((answer) => {
        // Never sent, or refused: the next event out of order asks again.
        if (!answer.ok) this.repairing = false;
      });
    }
    return { game, applied };
  }
}
