// Rematch offers of a finished game, as the game-over panel shows them: none, one's own pending,
// or the opponent's to accept or decline. The offers come on the lobby channel (no `v`); the
// accepted rematch arrives as client/START_GAME, which the app shows as any start.
import type { Color, ServerAction } from "../../protocol/types.js";
import type { Send } from "./event-order.js";
import { humanError } from "./messages.js";

/** The server lets an offer lapse REMATCH_MS (60 s) after it was made, with no event. */
export const REMATCH_MS = 60_000;

export interface RematchOffer {
  gameId: string;
  /** The offerer's colour in the finished game. */
  by: Color;
  /** When it arrived, by the client's clock. */
  atMs: number;
}

export type RematchStatus = "none" | "mine" | "theirs";

/** What the panel of `gameId` shows to the player of colour `me` at `nowMs`. */
export function rematchStatus(
  offer: RematchOffer | null,
  gameId: string,
  me: Color,
  nowMs: number,
): RematchStatus {
  if (offer === null || offer.gameId !== gameId || nowMs - offer.atMs >= REMATCH_MS) return "none";
  return offer.by === me ? "mine" : "theirs";
}

export interface RematchDeps {
  send: Send;
  notify: (message: string) => void;
  /** The panel may need redrawing. */
  changed: () => void;
  /** The player's colour in `gameId` when that game is on screen, else null. */
  me: (gameId: string) => Color | null;
}

/** The one offer a player can have at a time (a finished game's), and the actions on it. */
export class Rematches {
  private pending: RematchOffer | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: RematchDeps) {}

  status(gameId: string, me: Color): RematchStatus {
    return rematchStatus(this.pending, gameId, me, Date.now());
  }

  /** Takes the rematch events; a START_GAME ends any offer and goes on to the app. */
  readonly take = (action: ServerAction): boolean => {
    switch (action.type) {
      case "client/REMATCH_OFFERED": {
        const { gameId, by } = action.payload;
        // The same offer announced again (another tab's ack raced it) keeps its first time.
        if (this.pending?.gameId === gameId && this.pending.by === by) return true;
        this.keep({ gameId, by, atMs: Date.now() });
        const me = this.deps.me(gameId);
        if (me !== null && by !== me) this.deps.notify("Your opponent offers a rematch.");
        return true;
      }
      case "client/REMATCH_DECLINED": {
        const { gameId, by } = action.payload;
        const known = this.pending?.gameId === gameId;
        this.keep(null);
        const me = this.deps.me(gameId);
        if (known && me !== null)
          this.deps.notify(by === me ? "Rematch declined." : "Your opponent declined the rematch.");
        return true;
      }
      case "client/START_GAME":
        if (this.pending !== null) this.keep(null);
        return false;
      default:
        return false;
    }
  };

  /** Offers a rematch, or accepts the opponent's (the server tells them apart). */
  async offer(gameId: string, me: Color): Promise<void> {
    const answer = await this.deps.send("game/OFFER_REMATCH", { gameId });
    if (!answer.ok) {
      const { code, message } = answer.error;
      return this.deps.notify(code === "RATE_LIMITED" && message ? message : humanError(code));
    }
    // Accepted: client/START_GAME follows. Offered: shown now, whichever of ack and event is first.
    if (answer.state === undefined && this.status(gameId, me) === "none")
      this.keep({ gameId, by: me, atMs: Date.now() });
  }

  async decline(gameId: string): Promise<void> {
    const answer = await this.deps.send("game/DECLINE_REMATCH", { gameId });
    if (answer.ok) return;
    this.deps.notify(humanError(answer.error.code));
    if (answer.error.code === "NO_REMATCH_OFFER") this.keep(null);
  }

  private keep(offer: RematchOffer | null): void {
    this.pending = offer;
    clearTimeout(this.timer);
    if (offer !== null)
      this.timer = setTimeout(() => {
        this.pending = null;
        this.deps.changed();
      }, REMATCH_MS);
    this.deps.changed();
  }
}
