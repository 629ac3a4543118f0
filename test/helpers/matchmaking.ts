// Helpers for the matchmaking tests: players with sockets, and direct looks into Redis.
import assert from "node:assert/strict";
import type { AppContext } from "../../src/context.js";
import type { Instance } from "../../src/instance.js";
import type { Ack, LiveState, PublicUser } from "../../src/protocol/types.js";
import type { StoredLiveState } from "../../src/store/live-state.js";
import { getStoredLiveState } from "../../src/store/live-state.js";
import { connect, type TestClient } from "./client.js";
import { scanKeys } from "../../src/store/redis.js";

export interface Player {
  client: TestClient;
  user: PublicUser;
  sessionId: string;
}

/** Connects a player (a new guest unless `session` is given) and waits for RESUME_SESSION. */
export async function join(url: string, session?: string): Promise<Player> {
  const client = connect(url, session);
  const resumed = await client.next("client/RESUME_SESSION");
  return { client, user: resumed.user, sessionId: resumed.sessionId };
}

/** The `state` that a successful matchmaking ack carries. */
export function ackState(ack: Ack): LiveState {
  assert.equal(ack.ok, true, JSON.stringify(ack));
  return (ack as unknown as { state: LiveState }).state;
}

export function ackError(ack: Ack): string {
  assert.equal(ack.ok, false, JSON.stringify(ack));
  return (ack as { error: { code: string } }).error.code;
}

export function queueUp(
  player: Player,
  timeControl: string,
  opts: { rated?: boolean; autoAccept?: boolean } = {},
): Promise<Ack> {
  return player.client.send("server/START_MATCHMAKING", { timeControl, ...opts });
}

/** Accepts every proposal this player receives from now on. */
export function acceptEveryProposal(player: Player): void {
  player.client.socket.on("action", (action: { type: string; payload: { matchId: string } }) => {
    if (action.type === "client/PROPOSE_MATCHUP") {
      void player.client.send("server/REPLY_MATCHUP", {
        matchId: action.payload.matchId,
        accept: true,
      });
    }
  });
}

export function stored(
  ctx: Pick<AppContext, "redis" | "keys">,
  userId: string,
): Promise<StoredLiveState> {
  return getStoredLiveState(ctx, userId);
}

/** Polls until `check` holds (generous: the box may be loaded); fails with `what` otherwise. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting until ${what}`);
}

/** Every live game hash of this test's prefix, as {id, white, black}. */
export async function allGames(
  ctx: Pick<AppContext, "redis" | "keys">,
): Promise<{ id: string; white: string; black: string }[]> {
  const games: { id: string; white: string; black: string }[] = [];
  for (const key of await scanKeys(ctx.redis, `${ctx.keys.prefix}:game:{*}`)) {
    if (!/:game:\{[^}]+\}$/.test(key)) continue;
    const [id, white, black] = await ctx.redis.hmGet(key, ["id", "white", "black"]);
    games.push({
      id: id!,
      white: (JSON.parse(white!) as { id: string }).id,
      black: (JSON.parse(black!) as { id: string }).id,
    });
  }
  return games;
}

export async function closeAll(instances: Instance[], players: Player[]): Promise<void> {
  for (const p of players) p.client.close();
  for (const i of instances) await i.close();
}
