// The catalogue of error codes of PROTOCOL.md: each with its HTTP status and a default message.
// The HTTP and socket edges translate codes here and nowhere else.

export const errorCatalogue = {
  INVALID_INPUT: { status: 400, message: "The request is malformed." },
  NO_SESSION: { status: 401, message: "There is no valid session." },
  UNAUTHORIZED: { status: 403, message: "This action is not allowed." },
  USERNAME_TAKEN: { status: 409, message: "That username is taken." },
  INVALID_CREDENTIALS: { status: 401, message: "Wrong username or password." },
  RATE_LIMITED: { status: 429, message: "Too many requests; slow down." },
  NOT_FOUND: { status: 404, message: "Not found." },
  ALREADY_IN_QUEUE: { status: 409, message: "You are already queued, proposed or playing." },
  NOT_IN_QUEUE: { status: 409, message: "You are not in a queue." },
  UNKNOWN_MATCH: { status: 404, message: "That match proposal does not exist or has expired." },
  UNKNOWN_CHALLENGE: {
    status: 404,
    message: "That challenge is not open (expired, cancelled or taken).",
  },
  BUSY: {
    status: 409,
    message: "You or your opponent are already answering a proposal or playing.",
  },
  GUEST_RATED: { status: 403, message: "Guests may only play unrated games." },
  NOT_YOUR_GAME: { status: 403, message: "You do not play in this game." },
  NOT_YOUR_TURN: { status: 409, message: "It is not your turn." },
  GAME_OVER: { status: 409, message: "The game is over." },
  ILLEGAL_MOVE: { status: 400, message: "That move is illegal." },
  STALE_PLY: { status: 409, message: "That move was already played or is out of date." },
  FUTURE_PLY: { status: 409, message: "That move refers to a position not reached yet." },
  NO_DRAW_OFFER: { status: 409, message: "There is no draw offer to decline." },
  NO_TAKEBACK_OFFER: { status: 409, message: "There is no takeback proposal to answer." },
  NO_MOVE_TO_TAKE_BACK: { status: 409, message: "You have no move to take back." },
  NO_REMATCH_OFFER: { status: 409, message: "There is no rematch offer to decline." },
  OPPONENT_PRESENT: {
    status: 409,
    message: "Your opponent has not been gone long enough for you to claim the game.",
  },
  UNKNOWN_TYPE: { status: 400, message: "Unknown action type." },
  INTERNAL: { status: 500, message: "Something went wrong on our side." },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** An expected refusal, carried as a value through the layers; never shown with a stack. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? errorCatalogue[code].message, options);
  }
}

export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  return { code, message: message ?? errorCatalogue[code].message };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(errorCatalogue, value);
}
