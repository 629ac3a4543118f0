// What a player reads when the server refuses something: one human sentence per error code.
// `Record<ErrorCode, …>` makes the compiler insist that every code of the catalogue has one.
import type { ErrorCode } from "../../protocol/errors.js";
import type { GameReason } from "../../protocol/types.js";

const human: Record<ErrorCode, string> = {
  INVALID_INPUT: "That did not look right. Check what you entered and try again.",
  NO_SESSION: "Your session has ended. Please log in again.",
  UNAUTHORIZED: "You are not allowed to do that.",
  USERNAME_TAKEN: "That username is already taken. Try another one.",
  INVALID_CREDENTIALS: "Wrong username or password.",
  RATE_LIMITED: "Too many attempts. Wait a moment and try again.",
  NOT_FOUND: "Nothing was found there.",
  ALREADY_IN_QUEUE: "You are already looking for a game, answering a proposal, or playing.",
  NOT_IN_QUEUE: "You are not in a queue any more.",
  UNKNOWN_MATCH: "That match proposal has expired.",
  UNKNOWN_CHALLENGE: "That challenge is no longer open.",
  BUSY: "One of you is already playing or answering a match proposal.",
  GUEST_RATED: "Guests can only play unrated games. Register to play rated.",
  NOT_YOUR_GAME: "You are not playing in this game.",
  NOT_YOUR_TURN: "It is not your turn.",
  GAME_OVER: "This game is already over.",
  ILLEGAL_MOVE: "That move is not legal.",
  STALE_PLY: "The position changed before your move arrived; the board has been updated.",
  FUTURE_PLY: "Your board was out of date; it has been updated.",
  NO_DRAW_OFFER: "There is no draw offer to answer.",
  NO_TAKEBACK_OFFER: "There is no takeback proposal to answer.",
  NO_MOVE_TO_TAKE_BACK: "You have not made a move to take back yet.",
  NO_REMATCH_OFFER: "Your opponent has not offered a rematch (or the offer lapsed).",
  OPPONENT_PRESENT: "Your opponent is still here, or has not been gone long enough.",
  UNKNOWN_TYPE: "The server did not understand that request. Reload the page.",
  INTERNAL: "Something went wrong on the server. Please try again.",
};

export const errorCodes = Object.keys(human) as ErrorCode[];

export function humanError(code: string | undefined): string {
  if (code === "NETWORK") return "The server cannot be reached right now. Try again in a moment.";
  if (code !== undefined && Object.hasOwn(human, code)) return human[code as ErrorCode];
  return "Something went wrong. Please try again.";
}

const reasons: Record<GameReason, string> = {
  checkmate: "by checkmate",
  resign: "by resignation",
  timeout: "on time",
  stalemate: "by stalemate",
  agreement: "by agreement",
  threefold: "by threefold repetition",
  "fifty-move": "by the fifty-move rule",
  "insufficient-material": "by insufficient material",
  aborted: "",
  abandoned: "because the opponent left",
};

export function reasonText(reason: GameReason | null): string {
  return reason === null ? "" : reasons[reason];
}
