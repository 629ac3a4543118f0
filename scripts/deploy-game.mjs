// One game played from outside, as two players would through the load balancer: socket.io clients
// that speak the wire contract (../shared/PROTOCOL.md) and keep their session across reconnects.
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { until } from "./deploy-podman.mjs";

/** Scholar's mate: white mates at ply 6. */
export const SCHOLARS_MATE = ["e2e4", "e7e5", "f1c4", "b8c6", "d1h5", "g8f6", "h5f7"];

/** A player on `base`; `origin` sends that Origin header, as a browser on that page would. */
export function connectPlayer(base, { origin, session } = {}) {
  const socket = io(base, {
    transports: ["websocket"],
    query: session ? { session } : {},
    reconnectionDelay: 200,
    reconnectionDelayMax: 1_000,
    forceNew: true,
    extraHeaders: origin ? { origin } : {},
  });
  const received = [];
  const consumed = new Set();
  const waiters = [];
  const player = { socket, user: null, session: null, disconnects: 0, connectErrors: [] };
  socket.on("disconnect", () => player.disconnects++);
  socket.on("connect_error", (err) => player.connectErrors.push(err.message));
  socket.on("action", (action) => {
    if (action.type === "client/RESUME_SESSION") {
      player.user = action.payload.user;
      player.session = action.payload.sessionId;
      // Reconnections (to whichever instance the balancer picks) present the same session.
      socket.io.opts.query = { session: player.session };
    }
    received.push(action);
    const i = waiters.findIndex((w) => w.type === action.type && w.match(action.payload));
    if (i >= 0) {
      consumed.add(received.length - 1);
      waiters.splice(i, 1)[0].resolve(action.payload);
    }
  });
  /** The next not yet consumed action of that type (and match), received or to come. */
  player.next = (type, match = () => true, timeoutMs = 15_000) => {
    const idx = received.findIndex(
      (a, i) => a.type === type && !consumed.has(i) && match(a.payload),
    );
    if (idx >= 0) {
      consumed.add(idx);
      return Promise.resolve(received[idx].payload);
    }
    return new Promise((resolve, reject) => {
      const waiter = { type, match, resolve };
      waiters.push(waiter);
      setTimeout(() => {
        const i = waiters.indexOf(waiter);
        if (i < 0) return;
        waiters.splice(i, 1);
        const seen = received.map((a) => a.type).join(", ");
        reject(new Error(`timed out waiting for ${type} (received: ${seen})`));
      }, timeoutMs).unref();
    });
  };
  player.send = (type, payload = {}) =>
    socket.timeout(10_000).emitWithAck("action", { type, payload });
  player.close = () => socket.close();
  return player;
}

/** Plays ply `ply` of `moves` and checks that the opponent sees it. */
async function playPly(sides, gameId, moves, ply) {
  const [mover, other] = ply % 2 === 0 ? [sides.white, sides.black] : [sides.black, sides.white];
  const ack = await mover.send("game/PLAYER_MOVE", { gameId, move: moves[ply], ply });
  assert.deepEqual(ack, { ok: true, ply: ply + 1 }, `${moves[ply]} at ply ${ply}`);
  const update = await other.next(
    "client/UPDATE_GAME",
    (u) => u.gameId === gameId && u.ply === ply + 1,
  );
  assert.equal(update.move.uci, moves[ply]);
}

/**
 * Two guests meet through matchmaking on `base`, play four plies, then `killOne()` kills an
 * instance: at least one player must lose its socket (the two connected one after the other, so
 * round robin put them on different instances), reconnect through the balancer to a survivor,
 * resume the game there, and the game goes on to mate. Returns the finished game as the HTTP API
 * gives it.
 */
export async function playThroughKill(base, killOne) {
  const players = [];
  try {
    const a = connectPlayer(base, { origin: base });
    players.push(a);
    await a.next("client/RESUME_SESSION");
    const b = connectPlayer(base);
    players.push(b);
    await b.next("client/RESUME_SESSION");
    for (const p of players) {
      const ack = await p.send("server/START_MATCHMAKING", {
        timeControl: "5+3",
        rated: false,
        autoAccept: true,
      });
      assert.equal(ack.ok, true, `START_MATCHMAKING: ${JSON.stringify(ack)}`);
    }
    const [started, startedB] = await Promise.all(players.map((p) => p.next("client/START_GAME")));
    const game = started.game;
    assert.equal(startedB.game.id, game.id, "both players are in the same game");
    const sides = game.white.id === a.user.id ? { white: a, black: b } : { white: b, black: a };
    for (let ply = 0; ply < 4; ply++) await playPly(sides, game.id, SCHOLARS_MATE, ply);

    await killOne();
    await until(
      async () => a.disconnects + b.disconnects > 0,
      "a player to lose its socket to the kill",
      10_000,
    );
    for (const p of players.filter((p) => p.disconnects > 0)) {
      const session = await p.next("client/RESUME_SESSION", () => true, 20_000);
      assert.deepEqual(session.state, { status: "playing", gameId: game.id }, "resumed session");
      const resumed = (await p.next("client/RESUME_GAME")).game;
      assert.deepEqual(resumed.moves, SCHOLARS_MATE.slice(0, 4), "resumed game");
    }
    for (let ply = 4; ply < SCHOLARS_MATE.length; ply++)
      await playPly(sides, game.id, SCHOLARS_MATE, ply);
    for (const p of players) {
      const over = await p.next("client/GAME_OVER");
      assert.deepEqual([over.result, over.reason, over.winner], ["1-0", "checkmate", "white"]);
    }
    const res = await fetch(`${base}/api/games/${game.id}`);
    assert.equal(res.status, 200);
    const finished = await res.json();
    assert.equal(finished.status, "ended");
    assert.deepEqual(finished.moves, SCHOLARS_MATE);
    return { finished, lostSockets: players.filter((p) => p.disconnects > 0).length };
  } finally {
    for (const p of players) p.close();
  }
}

/** Two players on two different instances meet and play two plies, each seeing the other's move. */
export async function playAcross(baseA, baseB) {
  const players = [connectPlayer(baseA), connectPlayer(baseB)];
  try {
    for (const p of players) await p.next("client/RESUME_SESSION");
    for (const p of players) {
      const ack = await p.send("server/START_MATCHMAKING", {
        timeControl: "3+2",
        rated: false,
        autoAccept: true,
      });
      assert.equal(ack.ok, true, `START_MATCHMAKING: ${JSON.stringify(ack)}`);
    }
    const [{ game }] = await Promise.all(players.map((p) => p.next("client/START_GAME")));
    const [a, b] = players;
    const sides = game.white.id === a.user.id ? { white: a, black: b } : { white: b, black: a };
    for (let ply = 0; ply < 2; ply++) await playPly(sides, game.id, SCHOLARS_MATE, ply);
    return game.id;
  } finally {
    for (const p of players) p.close();
  }
}
