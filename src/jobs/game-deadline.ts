// A game's deadline came due: end it on time (or abort it before both first moves), with the
// position freshly loaded so that "can the opponent mate" is decided on the real position.
import type { AppContext } from "../context.js";
import { flagIsDraw } from "../domain/game.js";
import { endIfDue, loadLiveGame } from "../store/game-commands.js";
import { publishGameOver } from "../store/game-events.js";

const ATTEMPTS = 3;

export async function handleGameDeadline(ctx: AppContext, gameId: string): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const live = await loadLiveGame(ctx, gameId);
    if (live === null || live.view.status !== "started") return;
    const reply = await endIfDue(ctx, live.view, flagIsDraw(live.view));
    if (reply.code === "CONFLICT") continue;
    if (reply.code === "ENDED") {
      ctx.gameCache?.delete(gameId);
      await publishGameOver(ctx, live.meta, reply);
    }
    return;
  }
}
