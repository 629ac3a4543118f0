// A game's deadline came due: end it on time (or abort it before both first moves), with the
// position freshly loaded so that "can the opponent mate" is decided on the real position. The
// ending script publishes the GAME_OVER itself.
import type { AppContext } from "../context.js";
import { flagIsDraw } from "../domain/game.js";
import { endIfDue, loadLiveGame } from "../store/game-commands.js";

const ATTEMPTS = 3;

export async function handleGameDeadline(ctx: AppContext, gameId: string): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const view = await loadLiveGame(ctx, gameId);
    if (view === null || view.status !== "started") return;
    const reply = await endIfDue(ctx, view, flagIsDraw(view));
    if (reply.code !== "CONFLICT") return;
  }
}
