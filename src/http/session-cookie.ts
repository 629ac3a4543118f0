// How an HTTP request presents its session (Bearer token or cookie `sid`), and the cookie itself.
import { parseCookie } from "cookie";
import type { Request, Response } from "express";
import type { Config } from "../config.js";
import { SESSION_COOKIE } from "../store/sessions.js";

export interface PresentedSession {
  sessionId: string;
  via: "bearer" | "cookie";
}

const BEARER = /^Bearer[ ]+([^\s]+)\s*$/i;

export function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  return typeof header === "string" ? (BEARER.exec(header)?.[1] ?? null) : null;
}

/** The Bearer token wins over the cookie: a client that sends one means it. */
export function presentedSession(req: Request): PresentedSession | null {
  const bearer = bearerToken(req);
  if (bearer !== null) return { sessionId: bearer, via: "bearer" };
  const header = req.headers.cookie;
  const sid = typeof header === "string" ? parseCookie(header)[SESSION_COOKIE] : undefined;
  return sid ? { sessionId: sid, via: "cookie" } : null;
}

/**
 * Secure over HTTPS, and always in production. `X-Forwarded-Proto` is honoured even without
 * TRUST_PROXY: a spoofed value can only make the cookie stricter.
 */
function isSecure(config: Config, req: Request): boolean {
  if (config.NODE_ENV === "production" || req.secure) return true;
  const proto = req.headers["x-forwarded-proto"];
  return typeof proto === "string" && proto.split(",")[0]!.trim().toLowerCase() === "https";
}

export function setSessionCookie(
  config: Config,
  req: Request,
  res: Response,
  sessionId: string,
): void {
  res.cookie(SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: isSecure(config, req),
    maxAge: config.SESSION_TTL_S * 1000,
  });
}

export function clearSessionCookie(config: Config, req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: isSecure(config, req),
  });
}
