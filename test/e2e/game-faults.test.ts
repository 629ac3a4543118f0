import assert from "node:assert/strict";
import { test } from "node:test";
import { connect, type TestClient } from "../helpers/client.js";
import { testEnv } from "../helpers/env.js";
import { spawnInstance, type ChildInstance } from "../helpers/instances.js";
import { startGame } from "../helpers/live-games.js";
import { openStore } from "../helpers/store.js";

const sessionOf = (c: TestClient) => (c.received[0]!.payload as { sessionId: string }).sessionId;

async function play(c: TestClient, gameId: string, move: string, ply: number) {
  const ack = await c.send("game/PLAYER_MOVE", { gameId, move, ply });
  assert.deepEqual(ack, { ok: true, ply: ply + 1 }, `${move} at ${ply}`);
}

test("an instance killed mid-game, then every instance restarted: both players resume and play on", async (t) => {
  const env = testEnv();
  const store = await openStore(env);
  const children: ChildInstance[] = [];
  const clients: TestClient[] = [];
  t.after(async () => {
    for (const c of clients) c.close();
    for (const i of children) await i.kill();
    await store.close();
  });
  const spawn = async () => {
    const i = await spawnInstance(env);
    children.push(i);
    return i;
  };
  const open = (url: string, session?: string) => {
    const c = connect(url, session);
    clients.push(c);
    return c;
  };
  const [a, b] = [await spawn(), await spawn()];
  let white = open(a.url);
  let black = open(b.url);
  const w = (await white.next("client/RESUME_SESSION")).user;
  const bl = (await black.next("client/RESUME_SESSION")).user;
  const gameId = await startGame(store, w, bl, { timeControl: "3+2" });
  await white.send("game/PLAYER_READY", { gameId });
  await black.send("game/PLAYER_READY", { gameId });
  const moves = ["d2d4", "d7d5", "c2c4", "e7e6"];
  for (const [ply, m] of moves.entries()) await play(ply % 2 === 0 ? white : black, gameId, m, ply);

  await a.kill();
  white.close();
  white = open(b.url, sessionOf(white));
  const session = await white.next("client/RESUME_SESSION");
  assert.deepEqual(session.state, { status: "playing", gameId });
  const resumed = (await white.next("client/RESUME_GAME")).game;
  assert.deepEqual(resumed.moves, moves);
  assert.equal(resumed.clock.running, true);
  assert.ok(resumed.clock.whiteMs > 170_000 && resumed.clock.blackMs > 170_000);
  await play(white, gameId, "b1c3", 4);
  await play(black, gameId, "g8f6", 5);

  // Every instance goes; new ones come up; both players come back.
  for (const i of children) await i.kill();
  const [c, d] = [await spawn(), await spawn()];
  const whiteSession = sessionOf(white);
  const blackSession = sessionOf(black);
  white.close();
  black.close();
  white = open(c.url, whiteSession);
  black = open(d.url, blackSession);
  for (const client of [white, black]) {
    const game = (await client.next("client/RESUME_GAME")).game;
    assert.deepEqual(game.moves, [...moves, "b1c3", "g8f6"]);
    assert.equal(game.ply, 6);
  }
  await play(white, gameId, "c1g5", 6);
  const update = await black.nextWhere("client/UPDATE_GAME", (u) => u.ply === 7);
  assert.equal(update.move.san, "Bg5");
});

test("1+0: one side stops moving and every client disconnects; the flag falls at 60 s", async (t) => {
  const env = testEnv();
  const store = await openStore(env);
  const instance = await spawnInstance(env);
  t.after(async () => {
    await instance.kill();
    await store.close();
  });
  const white = connect(instance.url);
  const black = connect(instance.url);
  const w = (await white.next("client/RESUME_SESSION")).user;
  const bl = (await black.next("client/RESUME_SESSION")).user;
  const gameId = await startGame(store, w, bl, { timeControl: "1+0" });
  await play(white, gameId, "e2e4", 0);
  await play(black, gameId, "e7e5", 1);
  const clockStarted = Number(await store.redis.hGet(store.keys.game(gameId), "serverTime"));
  white.close();
  black.close();

  type Shown = {
    status: string;
    reason: string | null;
    winner: string | null;
    endedAt: number | null;
  };
  let game = null as Shown | null;
  const deadline = Date.now() + 75_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const res = await fetch(`${instance.url}/api/games/${gameId}`);
    if (res.status === 200) game = (await res.json()) as Shown;
    if (game?.status === "ended") break;
  }
  assert.equal(game?.status, "ended");
  assert.equal(game?.reason, "timeout");
  assert.equal(game?.winner, "black");
  const flaggedAfterMs = game.endedAt! - clockStarted;
  assert.ok(
    Math.abs(flaggedAfterMs - 60_000) <= 1_000,
    `flag fell ${flaggedAfterMs} ms after white's clock started`,
  );
  for (const s of [sessionOf(white), sessionOf(black)]) {
    const res = await fetch(`${instance.url}/api/session`, {
      headers: { authorization: `Bearer ${s}` },
    });
    assert.deepEqual(((await res.json()) as { state: unknown }).state, { status: "idle" });
  }
});
