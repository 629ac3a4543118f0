import assert from "node:assert/strict";
import { test } from "node:test";
import { canMate } from "../../src/domain/chess.js";
import {
  flagIsDraw,
  opposite,
  planAction,
  planMove,
  viewAfterMove,
  type GameView,
} from "../../src/domain/game.js";
import { TRICKY_GAME, playSan, randomSan } from "../helpers/chess-fixtures.js";
import { startView } from "../helpers/views.js";

const view: GameView = startView("g1");

test("move refusals come in PROTOCOL.md's order", () => {
  const ended = { ...view, status: "ended" as const };
  const rows: [string, GameView, string, string, number, string][] = [
    [
      "a stranger, even with a stale ply, is NOT_YOUR_GAME first",
      ended,
      "X",
      "e2e4",
      -1,
      "NOT_YOUR_GAME",
    ],
    ["an ended game is GAME_OVER before any ply check", ended, "W", "e2e4", 5, "GAME_OVER"],
    [
      "a ply below the game's is STALE_PLY before the turn",
      { ...view, ply: 1, fen: "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1" },
      "W",
      "e2e4",
      0,
      "STALE_PLY",
    ],
    ["a ply above it is FUTURE_PLY before the turn", view, "B", "e7e5", 1, "FUTURE_PLY"],
    ["the right ply but the wrong side is NOT_YOUR_TURN", view, "B", "e7e5", 0, "NOT_YOUR_TURN"],
    ["the right side but an illegal move is ILLEGAL_MOVE", view, "W", "e2e5", 0, "ILLEGAL_MOVE"],
  ];
  for (const [name, v, user, uci, ply, code] of rows) {
    assert.deepEqual(planMove(v, user, uci, ply), { ok: false, code }, name);
  }
});

test("a legal move is planned with its SAN, FEN and flag rule", () => {
  const plan = planMove(view, "W", "g1f3", 0);
  assert.ok(plan.ok);
  assert.equal(plan.san, "Nf3");
  assert.equal(plan.color, "white");
  assert.equal(plan.irreversible, false);
  assert.equal(plan.moverFlagIsDraw, false);
});

test("draw actions: only players; declining needs the opponent's offer", () => {
  assert.deepEqual(planAction(view, "X", "offer"), { ok: false, code: "NOT_YOUR_GAME" });
  assert.deepEqual(planAction({ ...view, status: "ended" }, "W", "resign"), {
    ok: false,
    code: "GAME_OVER",
  });
  assert.deepEqual(planAction(view, "W", "decline"), { ok: false, code: "NO_DRAW_OFFER" });
  assert.deepEqual(planAction({ ...view, drawOffer: "white" }, "W", "decline"), {
    ok: false,
    code: "NO_DRAW_OFFER",
  });
  assert.deepEqual(planAction({ ...view, drawOffer: "white" }, "B", "decline"), {
    ok: true,
    color: "black",
    flagIsDraw: false,
  });
});

test("a flag is a draw when the flagged side's opponent cannot mate", () => {
  // White to move with K+Q against a bare king: if white flags, black (bare king) cannot mate.
  assert.equal(flagIsDraw({ fen: "8/8/8/4k3/8/8/8/4K2Q w - - 0 40", ply: 78 }), true);
  // Black to move with the bare king: if black flags, white can mate: black loses.
  assert.equal(flagIsDraw({ fen: "8/8/8/4k3/8/8/8/4K2Q b - - 0 40", ply: 79 }), false);
  // K+N against K: neither can mate.
  assert.equal(flagIsDraw({ fen: "8/8/8/4k3/8/8/8/4K1N1 b - - 0 40", ply: 79 }), true);
});

test("a committed move's plan advances the view as reading its FEN does, and rules the flag alike", () => {
  // Random games reach captures down to bare kings, so both flag rules and resets of the
  // repetition list come up; the instance's shortcut (the plan it already has) must not differ
  // from what an instance that only hears the UPDATE_GAME works out from the FEN.
  const games = [TRICKY_GAME, ...Array.from({ length: 12 }, (_, seed) => randomSan(250, seed + 1))];
  let flagDraws = 0;
  for (const sans of games) {
    let mine = view;
    let theirs = view;
    for (const uci of playSan(sans).uci) {
      const mover = mine.ply % 2 === 0 ? "W" : "B";
      const plan = planMove(mine, mover, uci, mine.ply);
      assert.ok(plan.ok, `${uci} refused in ${mine.fen}`);
      assert.equal(plan.moverFlagIsDraw, !canMate(mine.fen, opposite(plan.color)), mine.fen);
      if (plan.moverFlagIsDraw) flagDraws++;
      const update = { ply: mine.ply + 1, fen: plan.fen, drawOffer: null };
      mine = viewAfterMove(mine, update, plan);
      theirs = viewAfterMove(theirs, update);
      assert.deepEqual(mine, theirs, `after ${uci}`);
    }
  }
  assert.ok(flagDraws > 0, "some position had a side without mating material");
});

test("the mover's flag is ruled on the position before the move, even when the move takes the opponent's last pawn", () => {
  // Black's pawn could still queen before white's Kxd2: if white's flag had fallen before the move
  // arrived, black (king and pawn) could mate: white loses, no draw. After the capture black has a
  // bare king, which must not change that ruling.
  const before: GameView = { ...view, ply: 80, fen: "4k3/8/8/8/8/8/3p4/4K3 w - - 0 41" };
  const plan = planMove(before, "W", "e1d2", 80);
  assert.ok(plan.ok);
  assert.equal(plan.san, "Kxd2");
  assert.equal(plan.moverFlagIsDraw, false);
  assert.equal(plan.outcome?.reason, "insufficient-material");
});
