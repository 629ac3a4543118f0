import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "../helpers/client.js";
import { setupGame } from "../helpers/game-setup.js";

test("hostile and unauthorised game actions are refused with a code and change nothing", async (t) => {
  const g = await setupGame(t);
  await g.play("e2e4", 0);
  await g.play("e7e5", 1);
  const ctx = g.instances[0]!.ctx;
  const snapshot = async () => ({
    game: await ctx.redis.hGetAll(ctx.keys.game(g.gameId)),
    deadline: await ctx.redis.zScore(ctx.keys.deadlinesOf(g.gameId), `game:${g.gameId}`),
    white: await ctx.redis.get(ctx.keys.live(g.whiteUser.id)),
    black: await ctx.redis.get(ctx.keys.live(g.blackUser.id)),
  });
  const before = await snapshot();

  const stranger = connect(g.instances[1]!.url);
  t.after(() => stranger.close());
  await stranger.next("client/RESUME_SESSION");
  const id = g.gameId;
  const move = (payload: unknown) => ({ type: "game/PLAYER_MOVE", payload });
  const cases: [string, typeof g.white, unknown, string][] = [
    ["no payload", g.white, { type: "game/PLAYER_MOVE" }, "INVALID_INPUT"],
    ["gameId missing", g.white, move({ move: "g1f3", ply: 2 }), "INVALID_INPUT"],
    ["gameId a number", g.white, move({ gameId: 7, move: "g1f3", ply: 2 }), "INVALID_INPUT"],
    [
      "gameId an operator object",
      g.white,
      move({ gameId: { $gt: "" }, move: "g1f3", ply: 2 }),
      "INVALID_INPUT",
    ],
    [
      "gameId over-long",
      g.white,
      move({ gameId: "x".repeat(65), move: "g1f3", ply: 2 }),
      "INVALID_INPUT",
    ],
    [
      "gameId with a key pattern",
      g.white,
      move({ gameId: "*", move: "g1f3", ply: 2 }),
      "INVALID_INPUT",
    ],
    ["move off the board", g.white, move({ gameId: id, move: "g1f9", ply: 2 }), "INVALID_INPUT"],
    ["move in upper case", g.white, move({ gameId: id, move: "G1F3", ply: 2 }), "INVALID_INPUT"],
    [
      "move of 10 kB",
      g.white,
      move({ gameId: id, move: "a".repeat(10_000), ply: 2 }),
      "INVALID_INPUT",
    ],
    ["move in SAN", g.white, move({ gameId: id, move: "Nf3", ply: 2 }), "INVALID_INPUT"],
    ["ply negative", g.white, move({ gameId: id, move: "g1f3", ply: -1 }), "INVALID_INPUT"],
    ["ply fractional", g.white, move({ gameId: id, move: "g1f3", ply: 1.5 }), "INVALID_INPUT"],
    ["ply a string", g.white, move({ gameId: id, move: "g1f3", ply: "2" }), "INVALID_INPUT"],
    [
      "an extra field",
      g.white,
      move({ gameId: id, move: "g1f3", ply: 2, clock: 999999 }),
      "INVALID_INPUT",
    ],
    ["payload an array", g.white, move([id, "g1f3", 2]), "INVALID_INPUT"],
    ["envelope a string", g.white, "game/PLAYER_MOVE", "INVALID_INPUT"],
    ["envelope null", g.white, null, "INVALID_INPUT"],
    ["unknown type", g.white, { type: "game/SET_CLOCK", payload: { gameId: id } }, "UNKNOWN_TYPE"],
    ["prototype type", g.white, { type: "__proto__", payload: {} }, "UNKNOWN_TYPE"],
    ["unknown game", g.white, move({ gameId: "nosuchgame", move: "g1f3", ply: 2 }), "NOT_FOUND"],
    ["a stranger moves", stranger, move({ gameId: id, move: "g1f3", ply: 2 }), "NOT_YOUR_GAME"],
    [
      "a stranger offers a draw",
      stranger,
      { type: "game/OFFER_DRAW", payload: { gameId: id } },
      "NOT_YOUR_GAME",
    ],
    [
      "a stranger resigns",
      stranger,
      { type: "game/CONCEDE", payload: { gameId: id } },
      "NOT_YOUR_GAME",
    ],
    [
      "a stranger declines",
      stranger,
      { type: "game/DECLINE_DRAW", payload: { gameId: id } },
      "NOT_YOUR_GAME",
    ],
    ["a replayed old move", g.black, move({ gameId: id, move: "e7e5", ply: 1 }), "STALE_PLY"],
    ["a move from the future", g.white, move({ gameId: id, move: "g1f3", ply: 3 }), "FUTURE_PLY"],
    ["out of turn", g.black, move({ gameId: id, move: "g8f6", ply: 2 }), "NOT_YOUR_TURN"],
    [
      "moving the opponent's piece",
      g.white,
      move({ gameId: id, move: "e5e4", ply: 2 }),
      "ILLEGAL_MOVE",
    ],
    ["an illegal move", g.white, move({ gameId: id, move: "e1e3", ply: 2 }), "ILLEGAL_MOVE"],
    [
      "a promotion letter on a plain move",
      g.white,
      move({ gameId: id, move: "g1f3q", ply: 2 }),
      "ILLEGAL_MOVE",
    ],
    [
      "declining a draw never offered",
      g.white,
      { type: "game/DECLINE_DRAW", payload: { gameId: id } },
      "NO_DRAW_OFFER",
    ],
    [
      "ready for an unknown game",
      g.white,
      { type: "game/PLAYER_READY", payload: { gameId: "nosuchgame" } },
      "NOT_FOUND",
    ],
    [
      "a negative lag",
      g.white,
      move({ gameId: id, move: "g1f3", ply: 2, lag: -5 }),
      "INVALID_INPUT",
    ],
    [
      "a lag as text",
      g.white,
      move({ gameId: id, move: "g1f3", ply: 2, lag: "300" }),
      "INVALID_INPUT",
    ],
    [
      "a lag of a day",
      g.white,
      move({ gameId: id, move: "g1f3", ply: 2, lag: 86_400_000 }),
      "INVALID_INPUT",
    ],
    ...(
      [
        "game/GIVE_TIME",
        "game/PROPOSE_TAKEBACK",
        "game/DECLINE_TAKEBACK",
        "game/CLAIM_VICTORY",
      ] as const
    ).flatMap((type): [string, typeof g.white, unknown, string][] => [
      [`${type} without a game`, g.white, { type, payload: {} }, "INVALID_INPUT"],
      [`${type} with a pattern`, g.white, { type, payload: { gameId: "*" } }, "INVALID_INPUT"],
      [
        `${type} with an extra field`,
        g.white,
        { type, payload: { gameId: id, ms: 1 } },
        "INVALID_INPUT",
      ],
      [
        `${type} of an unknown game`,
        g.white,
        { type, payload: { gameId: "nosuchgame" } },
        "NOT_FOUND",
      ],
      [`${type} by a stranger`, stranger, { type, payload: { gameId: id } }, "NOT_YOUR_GAME"],
    ]),
    [
      "declining a takeback never proposed",
      g.white,
      { type: "game/DECLINE_TAKEBACK", payload: { gameId: id } },
      "NO_TAKEBACK_OFFER",
    ],
    [
      "claiming with the opponent here",
      g.white,
      { type: "game/CLAIM_VICTORY", payload: { gameId: id } },
      "OPPONENT_PRESENT",
    ],
  ];
  assert.ok(cases.length >= 20);
  for (const [name, client, envelope, code] of cases) {
    const ack = (await client.socket.timeout(5_000).emitWithAck("action", envelope)) as {
      ok: boolean;
      error?: { code: string; message: string };
    };
    assert.equal(ack.ok, false, name);
    assert.equal(ack.error?.code, code, name);
    assert.ok(!/at .*\.js|Error:/.test(ack.error.message), `${name}: no stack in the message`);
  }
  // Without an acknowledgement the refusal comes as client/ERROR to that socket alone.
  g.black.fire("game/PLAYER_MOVE", { gameId: id, move: "e7e5", ply: 1 });
  assert.deepEqual(await g.black.next("client/ERROR"), {
    code: "STALE_PLY",
    message: "That move was already played or is out of date.",
    type: "game/PLAYER_MOVE",
  });
  assert.deepEqual(await snapshot(), before, "the game is byte-for-byte unchanged");

  // A message over Socket.IO's 16 kB limit closes that socket; the game is still unchanged.
  const closed = new Promise<string>((r) =>
    g.white.socket.once("disconnect", (reason) => r(reason)),
  );
  g.white.socket.emit("action", move({ gameId: id, move: "x".repeat(20_000), ply: 2 }));
  assert.equal(await closed, "transport close");
  assert.deepEqual(await snapshot(), before);
});
