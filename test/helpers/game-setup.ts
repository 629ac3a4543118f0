// Two players on two in-process instances, in a game started directly in Redis.
import type { TestContext } from "node:test";
import type { Instance } from "../../src/instance.js";
import type { PublicUser } from "../../src/protocol/types.js";
import { connect, type TestClient } from "./client.js";
import { testEnv } from "./env.js";
import { clusterFor } from "./instances.js";
import { startGame, type StartGameOptions } from "./live-games.js";

export interface GameSetup {
  instances: Instance[];
  white: TestClient;
  black: TestClient;
  whiteUser: PublicUser;
  blackUser: PublicUser;
  gameId: string;
  env: Record<string, string>;
  /** Plays a move as the side to move at `ply` and returns the ack. */
  play: (uci: string, ply: number) => Promise<unknown>;
}

/** The UPDATE_GAME of one ply, whatever came before it. */
export function updateAt(client: TestClient, ply: number, timeoutMs?: number) {
  return client.nextWhere("client/UPDATE_GAME", (u) => u.ply === ply, timeoutMs);
}

export async function setupGame(
  t: TestContext,
  opts: StartGameOptions & { env?: Record<string, string> } = {},
): Promise<GameSetup> {
  const env = testEnv(opts.env);
  const instances = await clusterFor(t, env, 2);
  const white = connect(instances[0]!.url);
  const black = connect(instances[1]!.url);
  t.after(() => {
    white.close();
    black.close();
  });
  const whiteUser = (await white.next("client/RESUME_SESSION")).user;
  const blackUser = (await black.next("client/RESUME_SESSION")).user;
  const gameId = await startGame(instances[0]!.ctx, whiteUser, blackUser, opts);
  for (const c of [white, black]) {
    const ack = await c.send("game/PLAYER_READY", { gameId });
    if (!ack.ok) throw new Error(`PLAYER_READY refused: ${JSON.stringify(ack)}`);
    await c.next("client/RESUME_GAME");
  }
  const play = (uci: string, ply: number) =>
    (ply % 2 === 0 ? white : black).send("game/PLAYER_MOVE", { gameId, move: uci, ply });
  return { instances, white, black, whiteUser, blackUser, gameId, env, play };
}

/** Waits for the archiver to put the game into MongoDB; returns how many documents it has. */
export async function archivedCount(
  instance: Instance,
  gameId: string,
  timeoutMs = 10_000,
): Promise<number> {
  const games = instance.ctx.mongo.db.collection<{ _id: string }>("games");
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < deadline && (count = await games.countDocuments({ _id: gameId })) === 0) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return count;
}
