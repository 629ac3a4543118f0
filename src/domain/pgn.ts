// PGN export of a game as lichess writes it: the seven-tag roster, TimeControl, Termination, Elo
// tags, and SAN moves with `{ [%clk H:MM:SS] }` comments. Pure: the SAN is stored with the game.
import type { Game, GameReason } from "../protocol/types.js";

export interface PgnInput {
  game: Game;
  /** Remaining ms of the mover after each move (the game's `clocks`); missing ones get no comment. */
  clocks: readonly number[];
  /** The game's address, for the Site tag. */
  site: string;
  /** The rating change, when the game was rated and has one. */
  ratingDiff?: { white: number; black: number } | null;
}

/** lichess's Termination values: how the game ended, not who won. */
export function terminationOf(game: Pick<Game, "status" | "reason">): string {
  if (game.status !== "ended") return "Unterminated";
  const byReason: Record<GameReason, string> = {
    checkmate: "Normal",
    resign: "Normal",
    stalemate: "Normal",
    agreement: "Normal",
    threefold: "Normal",
    "fifty-move": "Normal",
    "insufficient-material": "Normal",
    timeout: "Time forfeit",
    aborted: "Abandoned",
    abandoned: "Abandoned",
  };
  return game.reason ? byReason[game.reason] : "Normal";
}

/** `[%clk]` time: hours unpadded, whole seconds rounded down, so a clock never shows time it lacks. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

function utcDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}.${pad2(d.getUTCMonth() + 1)}.${pad2(d.getUTCDate())}`;
}

function utcTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

const signed = (n: number) => (n >= 0 ? `+${n}` : String(n));

function tag(name: string, value: string): string {
  return `[${name} "${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"]`;
}

/**
 * The Result token. "*" only for a game without a result: one still being played, or an aborted
 * one (lichess writes aborted games so too; "1/2-1/2" would claim a draw that never happened).
 */
export function resultToken(game: Pick<Game, "result">): string {
  return game.result ?? "*";
}

function tags(input: PgnInput): string[] {
  const { game } = input;
  const tc = game.timeControl;
  const speed = tc.speed[0]!.toUpperCase() + tc.speed.slice(1);
  const lines = [
    tag("Event", `${game.rated ? "Rated" : "Casual"} ${speed} game`),
    tag("Site", input.site),
    tag("Date", utcDate(game.createdAt)),
    tag("Round", "-"),
    tag("White", game.white.username),
    tag("Black", game.black.username),
    tag("Result", resultToken(game)),
    tag("UTCDate", utcDate(game.createdAt)),
    tag("UTCTime", utcTime(game.createdAt)),
    tag("WhiteElo", String(Math.round(game.white.rating))),
    tag("BlackElo", String(Math.round(game.black.rating))),
  ];
  if (input.ratingDiff) {
    lines.push(tag("WhiteRatingDiff", signed(input.ratingDiff.white)));
    lines.push(tag("BlackRatingDiff", signed(input.ratingDiff.black)));
  }
  lines.push(tag("Variant", "Standard"));
  lines.push(tag("TimeControl", `${tc.initialMs / 1000}+${tc.incrementMs / 1000}`));
  lines.push(tag("Termination", terminationOf(game)));
  return lines;
}

/** The movetext on one line, as lichess exports it: `1. e4 { [%clk 0:03:00] } 1... e5 …`. */
function movetext(san: readonly string[], clocks: readonly number[]): string {
  const parts: string[] = [];
  let afterComment = false;
  san.forEach((move, ply) => {
    const number = Math.floor(ply / 2) + 1;
    if (ply % 2 === 0) parts.push(`${number}.`);
    else if (afterComment) parts.push(`${number}...`);
    parts.push(move);
    const clock = clocks[ply];
    afterComment = clock !== undefined;
    if (afterComment) parts.push(`{ [%clk ${formatClock(clock!)}] }`);
  });
  return parts.join(" ");
}

/** The PGN text of one game, ending with a newline. */
export function toPgn(input: PgnInput): string {
  const moves = movetext(input.game.san, input.clocks);
  const result = resultToken(input.game);
  return `${tags(input).join("\n")}\n\n${moves ? `${moves} ${result}` : result}\n`;
}
