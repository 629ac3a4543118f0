// A subscription that Redis never took (the subscriber's connection dropped with the SSUBSCRIBE in
// flight) is not left standing as if it were listened to: the sockets that needed it reconnect,
// and subscribe again, so that their user's lobby events and their game's events still reach
// them. The instance's Redis sits behind a proxy that drops exactly that connection.
import assert from "node:assert/strict";
import { test } from "node:test";
import { answer, challengeOf, create } from "../helpers/challenges.js";
import { api } from "../helpers/accounts.js";
import { connect, type TestClient } from "../helpers/client.js";
import { cutProxy } from "../helpers/cut-proxy.js";
import { testEnv } from "../helpers/env.js";
import { startInProcess } from "../helpers/instances.js";
import { startGame } from "../helpers/live-games.js";
import { ackState, closeAll, join } from "../helpers/matchmaking.js";

/** A guest session made over HTTP, so that a reconnection can present it. */
async function guestSession(url: string): Promise<string> {
  const res = await api(url, "POST", "/api/guest");
  return (res.json as { sessionId: string }).sessionId;
}

/** As the browser client does: a socket the server closed connects again, with its session. */
function reconnectWhenClosed(client: TestClient): void {
  client.socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect") client.socket.connect();
  });
}

async function proxiedPair(t: { after: (fn: () => Promise<void>) => void }) {
  const env = testEnv();
  const link = await cutProxy(env.REDIS_URL!);
  const proxied = await startInProcess({ ...env, REDIS_URL: link.url });
  const direct = await startInProcess(env);
  t.after(async () => {
    await closeAll([proxied, direct], []);
    await link.close();
  });
  return { link, proxied, direct };
}

test("the user channel's SSUBSCRIBE lost with its connection: the socket reconnects and still gets its lobby events", async (t) => {
  const { link, proxied, direct } = await proxiedPair(t);
  const session = await guestSession(direct.url);
  link.cutWhenSent("user-events");
  const client = connect(proxied.url, session);
  reconnectWhenClosed(client);
  const resumed = await client.next("client/RESUME_SESSION");
  const host = { client, user: resumed.user, sessionId: session };
  const guest = await join(direct.url);
  t.after(() => closeAll([], [host, guest]));
  // The host's first socket was closed by its instance (its RESUME_SESSION came on the second).
  const challenge = challengeOf(await create(host, { timeControl: "5+0", color: "white" }));
  const state = ackState(await answer(guest, "ACCEPT", challenge.id));
  const gameId = (state as { gameId: string }).gameId;
  const { game } = await host.client.nextWhere("client/START_GAME", (s) => s.game.id === gameId);
  assert.equal(game.white.id, host.user.id);
});

test("a game channel's SSUBSCRIBE lost with its connection: the player reconnects and still hears the moves", async (t) => {
  const { link, proxied, direct } = await proxiedPair(t);
  const white = connect(proxied.url, await guestSession(direct.url));
  reconnectWhenClosed(white);
  const black = connect(direct.url);
  t.after(() => {
    white.close();
    black.close();
  });
  const w = (await white.next("client/RESUME_SESSION")).user;
  const b = (await black.next("client/RESUME_SESSION")).user;
  const gameId = await startGame(direct.ctx, w, b);
  assert.equal((await black.send("game/PLAYER_READY", { gameId })).ok, true);
  link.cutWhenSent("game-events");
  await white.send("game/PLAYER_READY", { gameId }).catch(() => null);
  // Closed by its instance, white reconnects (the test client does, as the browser's does) and
  // gets the game; then black's moves reach it live.
  await white.next("client/RESUME_GAME");
  assert.equal((await white.send("game/PLAYER_MOVE", { gameId, move: "e2e4", ply: 0 })).ok, true);
  assert.equal((await black.send("game/PLAYER_MOVE", { gameId, move: "e7e5", ply: 1 })).ok, true);
  const update = await white.nextWhere("client/UPDATE_GAME", (u) => u.ply === 2);
  assert.equal(update.move.uci, "e7e5");
});
