// Helpers for the challenge tests: registered players with sockets, and looks into Redis.
import assert from "node:assert/strict";
import type { AppContext } from "../../src/context.js";
import type { Ack, Challenge } from "../../src/protocol/types.js";
import { register } from "./accounts.js";
import { join, type Player } from "./matchmaking.js";
import { scanKeys } from "../../src/store/redis.js";

/** A registered account (through `httpUrl`) connected to `url`. */
export async function member(httpUrl: string, url = httpUrl): Promise<Player> {
  const { sessionId } = await register(httpUrl);
  return join(url, sessionId);
}

export function challengeOf(ack: Ack): Challenge {
  assert.equal(ack.ok, true, JSON.stringify(ack));
  return (ack as unknown as { challenge: Challenge }).challenge;
}

export function create(player: Player, payload: Record<string, unknown>): Promise<Ack> {
  return player.client.send("server/CREATE_CHALLENGE", payload);
}

export function answer(
  player: Player,
  type: "ACCEPT" | "DECLINE" | "CANCEL",
  challengeId: unknown,
): Promise<Ack> {
  return player.client.send(`server/${type}_CHALLENGE`, { challengeId });
}

/** Every challenge key, member set entry and deadline of this test's prefix. */
export async function challengeTraces(ctx: Pick<AppContext, "redis" | "keys">): Promise<string[]> {
  const found = await scanKeys(ctx.redis, `${ctx.keys.prefix}:*challenge*`);
  const due: string[] = [];
  for (const set of ctx.keys.deadlineSets) due.push(...(await ctx.redis.zRange(set, 0, -1)));
  return [...found.sort(), ...due.filter((m) => m.startsWith("challenge:"))];
}
