// Glicko-2 ratings of one game (glicko2-lite does the arithmetic): pure and deterministic, so the
// live-game code (client/GAME_OVER.ratingDiff) and the archiver (what MongoDB gets) agree exactly.
import glicko2 from "glicko2-lite";
import type { GameResult } from "../protocol/types.js";

/** A Glicko-2 rating as the rating system needs it (the wire shows rating and deviation only). */
export interface Glicko {
  rating: number;
  deviation: number;
  volatility: number;
}

export type Score = 0 | 0.5 | 1;

/** Where every player starts, per speed (PROTOCOL.md; Glickman's suggested volatility). */
export const INITIAL_GLICKO: Readonly<Glicko> = Object.freeze({
  rating: 1500,
  deviation: 350,
  volatility: 0.06,
});

/**
 * The system constant τ, which limits how fast volatility moves. 0.5 is the value of Glickman's
 * worked example, inside his advised 0.3–1.2.
 */
export const TAU = 0.5;

export interface RatedGame {
  white: Glicko;
  black: Glicko;
  /** Change of the displayed (rounded) rating: Math.round(after) - Math.round(before), per side. */
  diff: { white: number; black: number };
}

/** White's score for a result. */
export function scoreOf(result: GameResult): Score {
  if (result === "1-0") return 1;
  if (result === "0-1") return 0;
  return 0.5;
}

/** One result of a rating period: the opponent's rating before it, and the player's score. */
export interface PeriodResult {
  opponent: Glicko;
  score: Score;
}

/** A player's rating after one rating period of games (Glickman's algorithm, steps 2–8). */
export function ratePeriod(player: Glicko, results: readonly PeriodResult[]): Glicko {
  // glicko2-lite's opponent tuple is [rating, deviation, SCORE] (its type names the third "vol",
  // but its code reads it as the score; its README example passes 0 for a loss).
  const opponents = results.map((r): [number, number, number] => [
    r.opponent.rating,
    r.opponent.deviation,
    r.score,
  ]);
  const next = glicko2(player.rating, player.deviation, player.volatility, opponents, { tau: TAU });
  return { rating: next.rating, deviation: next.rd, volatility: next.vol };
}

/**
 * Both players' ratings after a game, each computed from both ratings BEFORE it (as a rating
 * period of one game). `diff` is what players are shown: the difference of the rounded ratings,
 * so that a shown rating plus the shown diff is the next shown rating (Math.round: half up).
 */
export function rateGame(white: Glicko, black: Glicko, whiteScore: Score): RatedGame {
  const whiteAfter = ratePeriod(white, [{ opponent: black, score: whiteScore }]);
  const blackAfter = ratePeriod(black, [{ opponent: white, score: (1 - whiteScore) as Score }]);
  return {
    white: whiteAfter,
    black: blackAfter,
    diff: {
      white: Math.round(whiteAfter.rating) - Math.round(white.rating),
      black: Math.round(blackAfter.rating) - Math.round(black.rating),
    },
  };
}
