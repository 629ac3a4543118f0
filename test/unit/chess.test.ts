// The chess rules module, table-driven (random games against chess.js: chess-vs-chessjs.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  INITIAL_FEN,
  canMate,
  legalDests,
  playMove,
  repetitionKey,
  turnOf,
  type PlayResult,
} from "../../src/domain/chess.js";

type Played = Extract<PlayResult, { ok: true }>;

/** Plays a line the way the game service will: history restarts after every irreversible move. */
function playLine(fen: string, ucis: string[]): Played[] {
  let history = [repetitionKey(fen)];
  const out: Played[] = [];
  for (const uci of ucis) {
    const r = playMove(fen, uci, history);
    assert.ok(r.ok, `${uci} should be legal in ${fen}`);
    history = r.irreversible ? [r.repetitionKey] : [...history, r.repetitionKey];
    fen = r.fen;
    out.push(r);
  }
  return out;
}

const last = (fen: string, line: string): Played => playLine(fen, line.split(" ")).at(-1)!;
const board = (fen: string): string => fen.split(" ")[0]!;
const fields = (fen: string, n: number): string => fen.split(" ").slice(0, n).join(" ");

function refused(fen: string, uci: string): void {
  assert.deepEqual(
    playMove(fen, uci, [repetitionKey(fen)]),
    { ok: false, code: "ILLEGAL_MOVE" },
    `${uci} in ${fen}`,
  );
}

test("INITIAL_FEN is the standard start, white to move", () => {
  assert.equal(INITIAL_FEN, "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1");
  assert.equal(turnOf(INITIAL_FEN), "white");
  assert.equal(turnOf(last(INITIAL_FEN, "e2e4").fen), "black");
});

test("a quiet move, a pawn move and a capture: FEN counters and irreversibility", () => {
  const [e4, e5, nf3, nc6, nxe5] = playLine(INITIAL_FEN, ["e2e4", "e7e5", "g1f3", "b8c6", "f3e5"]);
  assert.equal(e4!.fen, "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1");
  assert.equal(e4!.san, "e4");
  assert.equal(e5!.fen, "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2");
  assert.equal(nf3!.fen, "rnbqkbnr/pppp1ppp/8/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2");
  assert.equal(nc6!.fen, "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3");
  assert.equal(nxe5!.san, "Nxe5");
  assert.deepEqual(
    [e4, e5, nf3, nc6, nxe5].map((r) => r!.irreversible),
    [true, true, false, false, true],
  );
  assert.equal(nxe5!.repetitionKey, fields(nxe5!.fen, 4));
});

const PROMOTE = "3r4/4P3/8/8/8/8/k7/4K3 w - - 0 1";
const promotions: [string, string, string, string][] = [
  // fen, uci, san, board after
  [PROMOTE, "e7e8q", "e8=Q", "3rQ3/8/8/8/8/8/k7/4K3"],
  [PROMOTE, "e7e8r", "e8=R", "3rR3/8/8/8/8/8/k7/4K3"],
  [PROMOTE, "e7e8b", "e8=B", "3rB3/8/8/8/8/8/k7/4K3"],
  [PROMOTE, "e7e8n", "e8=N", "3rN3/8/8/8/8/8/k7/4K3"],
  [PROMOTE, "e7d8q", "exd8=Q", "3Q4/8/8/8/8/8/k7/4K3"],
  [PROMOTE, "e7d8n", "exd8=N", "3N4/8/8/8/8/8/k7/4K3"],
  ["4k3/8/8/8/8/8/p7/4K3 b - - 0 1", "a2a1q", "a1=Q+", "4k3/8/8/8/8/8/8/q3K3"],
  ["4k3/8/8/8/8/8/p7/4K3 b - - 0 1", "a2a1r", "a1=R+", "4k3/8/8/8/8/8/8/r3K3"],
];

test("promotion to each piece, with and without capture, both colours", () => {
  for (const [fen, uci, san, after] of promotions) {
    const r = last(fen, uci);
    assert.equal(r.uci, uci);
    assert.equal(r.san, san, uci);
    assert.equal(board(r.fen), after, uci);
    assert.equal(r.irreversible, true);
  }
});

test("promotion letters: missing on the last rank, present elsewhere, or not a piece are refused", () => {
  for (const uci of ["e7e8", "e7d8", "e7e8k", "e7e8p", "e7e8Q", "e1e2q", "e1d1n"])
    refused(PROMOTE, uci);
  refused(INITIAL_FEN, "e2e4q");
});

const CASTLE_W = "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1";
const CASTLE_B = "r3k2r/8/8/8/8/8/8/R3K2R b KQkq - 0 1";
const castlings: [string, string, string, string, string][] = [
  // fen, input, published uci, san, fields 1–3 after
  [CASTLE_W, "e1g1", "e1g1", "O-O", "r3k2r/8/8/8/8/8/8/R4RK1 b kq"],
  [CASTLE_W, "e1h1", "e1g1", "O-O", "r3k2r/8/8/8/8/8/8/R4RK1 b kq"],
  [CASTLE_W, "e1c1", "e1c1", "O-O-O", "r3k2r/8/8/8/8/8/8/2KR3R b kq"],
  [CASTLE_W, "e1a1", "e1c1", "O-O-O", "r3k2r/8/8/8/8/8/8/2KR3R b kq"],
  [CASTLE_B, "e8g8", "e8g8", "O-O", "r4rk1/8/8/8/8/8/8/R3K2R w KQ"],
  [CASTLE_B, "e8h8", "e8g8", "O-O", "r4rk1/8/8/8/8/8/8/R3K2R w KQ"],
  [CASTLE_B, "e8c8", "e8c8", "O-O-O", "2kr3r/8/8/8/8/8/8/R3K2R w KQ"],
  [CASTLE_B, "e8a8", "e8c8", "O-O-O", "2kr3r/8/8/8/8/8/8/R3K2R w KQ"],
];

test("castling both sides, both colours, king two-square and king-takes-rook input, two-square out", () => {
  for (const [fen, input, uci, san, after] of castlings) {
    const r = last(fen, input);
    assert.equal(r.uci, uci, input);
    assert.equal(r.san, san, input);
    assert.equal(fields(r.fen, 3), after, input);
    assert.equal(r.irreversible, false);
  }
});

const castlingRefusals: [string, string, string[], string[]][] = [
  // why, fen, refused, still legal
  ["through check (f1 attacked)", "4k3/8/8/8/8/8/5r2/R3K2R w KQ - 0 1", ["e1g1", "e1h1"], ["e1c1"]],
  [
    "out of check",
    "4k3/8/8/8/4r3/8/8/R3K2R w KQ - 0 1",
    ["e1g1", "e1h1", "e1c1", "e1a1"],
    ["e1d1"],
  ],
  ["into check (g1 attacked)", "4k1r1/8/8/8/8/8/8/R3K2R w KQ - 0 1", ["e1g1", "e1h1"], ["e1c1"]],
  ["into check (c1 attacked)", "2r1k3/8/8/8/8/8/8/R3K2R w KQ - 0 1", ["e1c1", "e1a1"], ["e1g1"]],
  [
    "rook's square or b1 attacked is fine",
    "4k3/8/8/8/4b3/8/8/R3K2R w KQ - 0 1",
    [],
    ["e1g1", "e1c1"],
  ],
  ["pieces in between", INITIAL_FEN, ["e1g1", "e1h1", "e1c1", "e1a1"], []],
  ["no rights in the FEN", "r3k2r/8/8/8/8/8/8/R3K2R w - - 0 1", ["e1g1", "e1h1", "e8g8"], []],
  ["king onto another own piece", "4k3/8/8/8/8/8/8/R3KB1R w KQ - 0 1", ["e1f1", "e1g1"], ["e1c1"]],
  ["black through check", "r3k2r/8/8/8/8/8/8/3RK3 b kq - 0 1", ["e8c8", "e8a8"], ["e8g8"]],
];

test("castling through, out of or into check, or without rights, is refused", () => {
  for (const [why, fen, bad, good] of castlingRefusals) {
    for (const uci of bad) refused(fen, uci);
    for (const uci of good) assert.ok(playMove(fen, uci, []).ok, `${why}: ${uci}`);
  }
});

test("castling after the king or a rook moved (and came back) is refused", () => {
  const kingMoved = last(CASTLE_W, "e1e2 e8e7 e2e1 e7e8").fen;
  assert.equal(fields(kingMoved, 3), "r3k2r/8/8/8/8/8/8/R3K2R w -");
  for (const uci of ["e1g1", "e1c1", "e1h1", "e1a1"]) refused(kingMoved, uci);
  const rookMoved = last(CASTLE_W, "h1h2 h8h7 h2h1 h7h8").fen;
  refused(rookMoved, "e1g1");
  const r = last(rookMoved, "e1c1");
  assert.equal(fields(r.fen, 3), "r3k2r/8/8/8/8/8/8/2KR3R b q");
  refused(r.fen, "e8g8");
  refused(r.fen, "e8c8"); // still has the right, but d8 is attacked now
  const rookTaken = last("r3k2r/8/8/8/8/8/1B6/R3K2R w KQkq - 0 1", "b2h8");
  assert.equal(fields(rookTaken.fen, 3), "r3k2B/8/8/8/8/8/8/R3K2R b KQq");
  refused(rookTaken.fen, "e8g8");
  assert.ok(playMove(rookTaken.fen, "e8c8", []).ok);
});

test("en passant right after the double push, and not a move later", () => {
  const before = last(INITIAL_FEN, "e2e4 a7a6 e4e5 d7d5");
  assert.equal(before.fen, "rnbqkbnr/1pp1pppp/p7/3pP3/8/8/PPPP1PPP/RNBQKBNR w KQkq d6 0 3");
  const ep = last(before.fen, "e5d6");
  assert.equal(ep.san, "exd6");
  assert.equal(ep.fen, "rnbqkbnr/1pp1pppp/p2P4/8/8/8/PPPP1PPP/RNBQKBNR b KQkq - 0 3");
  const later = last(before.fen, "g1f3 a6a5").fen;
  refused(later, "e5d6");
  const black = last(INITIAL_FEN, "a2a3 d7d5 a3a4 d5d4 e2e4");
  assert.equal(fields(black.fen, 4), "rnbqkbnr/ppp1pppp/8/8/P2pP3/8/1PPP1PPP/RNBQKBNR b KQkq e3");
  assert.equal(last(black.fen, "d4e3").san, "dxe3");
});

test("repetitionKey keeps the ep square only when the capture is legal", () => {
  const table: [string, string][] = [
    [
      "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1",
      "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq -",
    ],
    ["7k/8/8/KPp5/8/8/8/8 w - c6 0 2", "7k/8/8/KPp5/8/8/8/8 w - c6"],
    ["7k/8/8/KPp4r/8/8/8/8 w - c6 0 2", "7k/8/8/KPp4r/8/8/8/8 w - -"], // the capture would expose the king
  ];
  for (const [fen, key] of table) assert.equal(repetitionKey(fen), key, fen);
  assert.equal(last(INITIAL_FEN, "e2e4").fen.split(" ")[3], "-");
});

test("pinned pieces move only along the pin; the king never steps into check", () => {
  refused("4k3/4r3/8/8/8/8/4B3/4K3 w - - 0 1", "e2d3");
  refused("4k3/4r3/8/8/8/8/4R3/4K3 w - - 0 1", "e2d2");
  assert.equal(last("4k3/4r3/8/8/8/8/4R3/4K3 w - - 0 1", "e2e7").san, "Rxe7+");
  assert.equal(last("4k3/4r3/8/8/8/8/4R3/4K3 w - - 0 1", "e2e5").san, "Re5");
  refused("4k3/8/8/8/8/8/3r4/4K3 w - - 0 1", "e1d1");
  refused("4k3/8/8/8/8/8/3r4/4K3 w - - 0 1", "e1e2");
  assert.equal(last("4k3/8/8/8/8/8/3r4/4K3 w - - 0 1", "e1d2").san, "Kxd2");
  refused(INITIAL_FEN, "e7e5"); // not black's turn
});

test("malformed FENs and moves are ILLEGAL_MOVE, never a throw", () => {
  for (const fen of [
    "",
    "garbage",
    "8/8/8/8/8/8/8/8 w - - 0 1",
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP w KQkq - 0 1",
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR x KQkq - 0 1",
    "4k3/8/8/8/8/8/8/R3K2R w KQ - zz 1",
    "4k3/4R3/8/8/8/8/8/4K3 w - - 0 1" /* side not to move in check */,
    "x".repeat(10_000),
  ]) {
    refused(fen, "e2e4");
  }
  for (const uci of ["", "e2e4 ", "E2E4", "e2-e4", "e9e4", "0000", "e2e4qq", "P@e4", "e2e2", "e2"])
    refused(INITIAL_FEN, uci);
  assert.deepEqual(playMove(undefined as unknown as string, "e2e4", []), {
    ok: false,
    code: "ILLEGAL_MOVE",
  });
  assert.deepEqual(playMove(INITIAL_FEN, null as unknown as string, []), {
    ok: false,
    code: "ILLEGAL_MOVE",
  });
});

test("other FEN spellings chessops accepts mean the same position as the plain one", () => {
  const plain = playMove(INITIAL_FEN, "e2e4", []);
  const spellings = [
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq -", // EPD: counters default to 0 1
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR  w KQkq - 0 1",
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w HAha - 0 1", // Shredder castling
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e6 0 1", // impossible ep square: ignored
  ];
  for (const fen of spellings) assert.deepEqual(playMove(fen, "e2e4", []), plain, fen);
  assert.equal(repetitionKey("4k3/8/8/8/8/8/8/4K2R w KQkq - 0 1"), "4k3/8/8/8/8/8/8/4K2R w K -");
});

type RulesLike = { reason: string; winner: string | null } | null;
const endings: [string, string, string, string, RulesLike][] = [
  // why, fen, line, last san, outcome
  [
    "scholar's mate",
    INITIAL_FEN,
    "e2e4 e7e5 f1c4 b8c6 d1h5 g8f6 h5f7",
    "Qxf7#",
    { reason: "checkmate", winner: "white" },
  ],
  [
    "fool's mate",
    INITIAL_FEN,
    "f2f3 e7e5 g2g4 d8h4",
    "Qh4#",
    { reason: "checkmate", winner: "black" },
  ],
  [
    "back-rank mate",
    "6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1",
    "a1a8",
    "Ra8#",
    { reason: "checkmate", winner: "white" },
  ],
  [
    "mate beats fifty-move",
    "6k1/5ppp/8/8/8/8/8/R5K1 w - - 99 60",
    "a1a8",
    "Ra8#",
    { reason: "checkmate", winner: "white" },
  ],
  [
    "stalemate",
    "7k/8/6K1/5Q2/8/8/8/8 w - - 0 1",
    "f5f7",
    "Qf7",
    { reason: "stalemate", winner: null },
  ],
  [
    "stalemate beats fifty-move",
    "7k/8/6K1/5Q2/8/8/8/8 w - - 99 70",
    "f5f7",
    "Qf7",
    { reason: "stalemate", winner: null },
  ],
  [
    "K v K",
    "8/8/8/4k3/8/8/1r6/K7 w - - 0 1",
    "a1b2",
    "Kxb2",
    { reason: "insufficient-material", winner: null },
  ],
  [
    "K+B v K",
    "8/8/8/4k3/8/8/1r6/KB6 w - - 0 1",
    "a1b2",
    "Kxb2",
    { reason: "insufficient-material", winner: null },
  ],
  [
    "K+N v K",
    "8/8/8/4k3/8/8/1r6/KN6 w - - 0 1",
    "a1b2",
    "Kxb2",
    { reason: "insufficient-material", winner: null },
  ],
  [
    "K+B v K+B, same colour",
    "5b2/8/8/4k3/8/8/1r6/K1B5 w - - 0 1",
    "a1b2",
    "Kxb2",
    { reason: "insufficient-material", winner: null },
  ],
  ["K+B v K+B, opposite colours", "2b5/8/8/4k3/8/8/1r6/K1B5 w - - 0 1", "a1b2", "Kxb2", null],
  [
    "fifty-move at 100 half-moves",
    "6k1/5ppp/8/8/8/8/8/R5K1 w - - 99 60",
    "a1a2",
    "Ra2",
    { reason: "fifty-move", winner: null },
  ],
  ["not at 99", "6k1/5ppp/8/8/8/8/8/R5K1 w - - 98 60", "a1a2", "Ra2", null],
];

test("game endings: checkmate, stalemate, insufficient material, fifty-move, in priority order", () => {
  for (const [why, fen, line, san, outcome] of endings) {
    const r = last(fen, line);
    assert.equal(r.san, san, why);
    assert.deepEqual(r.outcome, outcome, why);
  }
});

test("threefold: knight shuffles draw on the third occurrence, not the second", () => {
  const line = "g1f3 g8f6 f3g1 f6g8 g1f3 g8f6 f3g1 f6g8".split(" ");
  const results = playLine(INITIAL_FEN, line);
  assert.deepEqual(
    results.slice(0, 7).map((r) => r.outcome),
    Array(7).fill(null),
  );
  assert.deepEqual(results[7]!.outcome, { reason: "threefold", winner: null });
  assert.equal(results[3]!.repetitionKey, repetitionKey(INITIAL_FEN)); // the second occurrence was quiet
});

test("threefold: positions differing in castling rights are different positions", () => {
  // After ply 4 the placement is the start's again, but without the queen-side rights: were rights
  // ignored, ply 8 would be the start's third occurrence. The first true threefold is ply 10's
  // position (rooks on b1 and b8, white to move), first seen after ply 2.
  const shuffle = "a1b1 a8b8 b1a1 b8a8";
  const results = playLine(CASTLE_W, `${shuffle} ${shuffle} ${shuffle}`.split(" "));
  assert.equal(
    results.findIndex((r) => r.outcome !== null),
    9,
  );
  assert.deepEqual(results[9]!.outcome, { reason: "threefold", winner: null });
});

test("threefold counts the history it is given plus the new position", () => {
  const next = last(INITIAL_FEN, "g1f3");
  const start = repetitionKey(INITIAL_FEN);
  const twice = playMove(INITIAL_FEN, "g1f3", [
    next.repetitionKey,
    start,
    next.repetitionKey,
    start,
  ]);
  assert.ok(twice.ok);
  assert.deepEqual(twice.outcome, { reason: "threefold", winner: null });
  const once = playMove(INITIAL_FEN, "g1f3", [next.repetitionKey, start]);
  assert.ok(once.ok);
  assert.equal(once.outcome, null);
});

test("canMate: bare king, K+N and K+B cannot; K+R, K+P and K+N against a pawn can", () => {
  const table: [string, string, "white" | "black", boolean][] = [
    ["bare king", "8/8/8/4k3/8/8/8/K7 w - - 0 1", "white", false],
    ["K+N v K", "8/8/8/4k3/8/8/8/KN6 w - - 0 1", "white", false],
    ["K+B v K", "8/8/8/4k3/8/8/8/KB6 b - - 0 1", "white", false],
    ["K+R v K", "8/8/8/4k3/8/8/8/KR6 w - - 0 1", "white", true],
    ["K+P v K", "8/8/8/4k3/8/8/P7/K7 w - - 0 1", "white", true],
    ["K+N v K+P (a helpmate exists)", "8/8/8/4k3/4p3/8/8/KN6 w - - 0 1", "white", true],
    ["bare king v K+Q", "8/8/8/4k3/8/8/8/KQ6 w - - 0 1", "black", false],
    ["start", INITIAL_FEN, "black", true],
  ];
  for (const [why, fen, color, expected] of table) assert.equal(canMate(fen, color), expected, why);
});

test("legalDests: 20 moves at the start; castling as the king's two-square move", () => {
  const start = legalDests(INITIAL_FEN);
  assert.equal(Object.values(start).flat().length, 20);
  assert.deepEqual(start["g1"]?.sort(), ["f3", "h3"]);
  assert.deepEqual(legalDests(CASTLE_W)["e1"]?.sort(), ["c1", "d1", "d2", "e2", "f1", "f2", "g1"]);
  assert.deepEqual(legalDests("garbage"), {});
});
