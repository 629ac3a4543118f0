// Cost of one validated move (src/domain/chess.ts playMove) over real games; `node dist/bench/chess.js`.
// Real games: the 100 lichess games that chess.js ships as its own benchmark PGN (a devDependency).
// Random games from a seeded PRNG are timed too: they reach long, thin endgames that real games rarely do.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Chess as ChessJs } from "chess.js";
import { INITIAL_FEN, legalDests, playMove, repetitionKey, turnOf } from "../src/domain/chess.js";
import { planMove, viewAfterMove, type GameView } from "../src/domain/game.js";

interface Sample {
  fen: string;
  uci: string;
  history: string[];
}

const PGN = fileURLToPath(
  new URL("../../node_modules/chess.js/benchmarks/benchmark.pgn", import.meta.url),
);

/** Replays one game's UCI moves through playMove, keeping the history the way the game service will. */
function samplesOf(ucis: string[], sans?: string[]): Sample[] {
  const out: Sample[] = [];
  let fen = INITIAL_FEN;
  let history = [repetitionKey(fen)];
  ucis.forEach((uci, i) => {
    const r = playMove(fen, uci, history);
    if (!r.ok) throw new Error(`refused ${uci} in ${fen}`);
    if (sans && r.san !== sans[i]) throw new Error(`SAN ${r.san} != ${sans[i]} in ${fen}`);
    out.push({ fen, uci, history });
    history = r.irreversible ? [r.repetitionKey] : [...history, r.repetitionKey];
    fen = r.fen;
  });
  return out;
}

function realGames(): Sample[] {
  if (!existsSync(PGN)) return [];
  const games = readFileSync(PGN, "utf8").split(/\n\s*\n(?=\[Event)/);
  return games.flatMap((pgn) => {
    const js = new ChessJs();
    js.loadPgn(pgn);
    const moves = js.history({ verbose: true });
    return samplesOf(
      moves.map((m) => m.lan),
      moves.map((m) => m.san),
    );
  });
}

function randomGames(count: number, seed: number): Sample[] {
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: Sample[] = [];
  for (let g = 0; g < count; g++) {
    let fen = INITIAL_FEN;
    let history = [repetitionKey(fen)];
    for (;;) {
      const moves = Object.entries(legalDests(fen)).flatMap(([from, tos]) =>
        tos.map((to) => from + to),
      );
      const pick = moves[Math.floor(random() * moves.length)]!;
      let r = playMove(fen, pick, history);
      const uci = r.ok ? pick : pick + "q"; // a pawn reaching the last rank
      if (!r.ok) r = playMove(fen, uci, history);
      if (!r.ok) throw new Error(`refused ${uci} in ${fen}`);
      out.push({ fen, uci, history });
      if (r.outcome) break;
      history = r.irreversible ? [r.repetitionKey] : [...history, r.repetitionKey];
      fen = r.fen;
    }
  }
  return out;
}

/** Mean over whole rounds (no timer in the loop), then p50/p99 from per-call timings. */
function measure(name: string, samples: Sample[], rounds: number): void {
  if (samples.length === 0) return console.log(`${name}: no samples`);
  for (const s of samples) playMove(s.fen, s.uci, s.history); // warm-up
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const s of samples) playMove(s.fen, s.uci, s.history);
  const meanUs = Number(process.hrtime.bigint() - start) / 1000 / (rounds * samples.length);
  const each: number[] = [];
  for (const s of samples) {
    const t0 = process.hrtime.bigint();
    playMove(s.fen, s.uci, s.history);
    each.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  each.sort((a, b) => a - b);
  const pct = (p: number): string =>
    each[Math.min(each.length - 1, Math.floor(p * each.length))]!.toFixed(1);
  console.log(
    `${name}: ${samples.length} moves x ${rounds} rounds: mean ${meanUs.toFixed(1)} µs/move ` +
      `(${Math.round(1e6 / meanUs)} moves/s on one core), p50 ${pct(0.5)} µs, p99 ${pct(0.99)} µs`,
  );
}

/**
 * The rules work of one move across a game's two instances: the mover's plans it (planMove) and
 * advances its cached game from the plan, the opponent's advances its copy from the UPDATE_GAME.
 */
function lifecycleOfMove(samples: Sample[], rounds: number): void {
  const views = samples.map((s): GameView => {
    const ply = turnOf(s.fen) === "white" ? 0 : 1;
    const base = { id: "g", status: "started", takebacks: 0, whiteId: "w", blackId: "b" } as const;
    return { ...base, ply, fen: s.fen, reps: s.history, drawOffer: null };
  });
  const once = () => {
    samples.forEach((s, i) => {
      const view = views[i]!;
      const plan = planMove(view, view.ply === 0 ? "w" : "b", s.uci, view.ply);
      if (!plan.ok) throw new Error(`refused ${s.uci} in ${s.fen}`);
      const update = { ply: view.ply + 1, fen: plan.fen, drawOffer: null };
      viewAfterMove(view, update, plan);
      viewAfterMove(view, update);
    });
  };
  once(); // warm-up
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) once();
  const meanUs = Number(process.hrtime.bigint() - start) / 1000 / (rounds * samples.length);
  console.log(
    `a move's rules work on both instances (plan, then both cached games advanced), real games: mean ${meanUs.toFixed(1)} µs/move`,
  );
}

const real = realGames();
const random = randomGames(20, 7);
measure("real games (lichess, chess.js benchmark.pgn)", real, 10);
measure("random games (seeded)", random, 10);
lifecycleOfMove(real, 10);
