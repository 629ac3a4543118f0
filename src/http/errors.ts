// The one mapping from errors to HTTP responses: `{error: {code, message}}`, never a stack trace.
import type { ErrorRequestHandler, Response } from "express";
import { AppError, errorBody, errorCatalogue, type ErrorCode } from "../protocol/errors.js";
import type { Logger } from "../log.js";

export function sendError(res: Response, code: ErrorCode, message?: string): void {
  res.status(errorCatalogue[code].status).json({ error: errorBody(code, message) });
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof AppError) return sendError(res, err.code, err.message);
    // body-parser's errors: malformed JSON, a body too large, a wrong charset.
    const status = (err as { status?: number } | null)?.status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return sendError(res, "INVALID_INPUT");
    }
    log.error({ err, path: req.path }, "unhandled error in HTTP request");
    sendError(res, "INTERNAL");
  };
}
