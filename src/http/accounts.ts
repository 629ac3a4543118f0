// The account endpoints: register, login, guest, logout, session. Every body is parsed with a
// strict zod schema before anything else sees it, so operator objects never reach a query.
// POST /api/register always creates a new account, whatever session the request carries; a guest
// who wants to keep its queue place or game registers over its socket (server/REGISTER_USER).
import { Router, type Request, type Response } from "express";
import type { z } from "zod";
import type { AppContext } from "../context.js";
import { credentialsSchema } from "../protocol/actions.js";
import { AppError } from "../protocol/errors.js";
import type { PublicUser } from "../protocol/types.js";
// Logout must also close the sockets of the session, on every instance.
import { announceSessionEnded } from "../store/lobby-events.js";
import { createAccount, verifyCredentials } from "../store/accounts.js";
import { createGuestSession } from "../store/guests.js";
import { getLiveState } from "../store/live-state.js";
import { rateLimits } from "../store/rate-limits.js";
import { createUserSession, deleteSession, getSession } from "../store/sessions.js";
import { loadPublicUser } from "../store/users.js";
import { clearSessionCookie, presentedSession, setSessionCookie } from "./session-cookie.js";

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError("INVALID_INPUT");
  return parsed.data;
}

const address = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? "unknown";

export function accountsRouter(ctx: AppContext): Router {
  const router = Router();
  const limits = rateLimits(ctx);

  /** Starts a session for a registered user and answers with it, cookie included. */
  async function signIn(req: Request, res: Response, user: PublicUser, status: number) {
    const { sessionId, ended } = await createUserSession(ctx, {
      userId: user.id,
      username: user.username,
      guest: false,
      createdAt: Date.now(),
    });
    await Promise.all(ended.map((id) => announceSessionEnded(ctx, user.id, id)));
    setSessionCookie(ctx.config, req, res, sessionId);
    res.set("Cache-Control", "no-store").status(status).json({ sessionId, user });
  }

  router.post("/api/register", async (req, res) => {
    const credentials = parseBody(credentialsSchema, req.body);
    await limits.consume("registerPerAddress", address(req));
    await signIn(req, res, await createAccount(ctx, credentials), 201);
  });

  // Every attempt is counted before its password is checked, so concurrent attempts cannot try
  // more passwords than the limits allow; what turns out not to apply is given back after.
  router.post("/api/login", async (req, res) => {
    const credentials = parseBody(credentialsSchema, req.body);
    const nameKey = credentials.username.toLowerCase();
    const addressKey = address(req);
    await limits.consumeAll([
      ["loginFailuresPerAddress", addressKey],
      ["loginFailuresPerUsername", nameKey],
      ["loginsPerUsername", nameKey],
    ]);
    let user: PublicUser | null;
    try {
      user = await verifyCredentials(ctx, credentials);
    } catch (err) {
      await Promise.allSettled([
        limits.refund("loginFailuresPerAddress", addressKey),
        limits.refund("loginFailuresPerUsername", nameKey),
        limits.refund("loginsPerUsername", nameKey),
      ]);
      throw err;
    }
    if (user === null) {
      await limits.refund("loginsPerUsername", nameKey);
      throw new AppError("INVALID_CREDENTIALS");
    }
    await Promise.all([
      limits.refund("loginFailuresPerAddress", addressKey),
      limits.reset("loginFailuresPerUsername", nameKey),
    ]);
    await signIn(req, res, user, 200);
  });

  router.post("/api/guest", async (req, res) => {
    await limits.consume("guestPerAddress", address(req));
    const { sessionId, session } = await createGuestSession(ctx);
    setSessionCookie(ctx.config, req, res, sessionId);
    res
      .set("Cache-Control", "no-store")
      .status(201)
      .json({ sessionId, user: await loadPublicUser(ctx, session) });
  });

  router.post("/api/logout", async (req, res) => {
    const presented = presentedSession(req);
    const ended = presented === null ? null : await deleteSession(ctx, presented.sessionId);
    if (ended !== null && presented !== null)
      await announceSessionEnded(ctx, ended.userId, presented.sessionId);
    clearSessionCookie(ctx.config, req, res);
    res.status(204).end();
  });

  router.get("/api/session", async (req, res) => {
    const presented = presentedSession(req);
    const session = presented === null ? null : await getSession(ctx, presented.sessionId);
    if (presented === null || session === null) {
      if (presented?.via === "cookie") clearSessionCookie(ctx.config, req, res);
      throw new AppError("NO_SESSION");
    }
    const [user, state] = await Promise.all([
      loadPublicUser(ctx, session),
      getLiveState(ctx, session.userId),
    ]);
    // The session slid on the server; the cookie slides with it.
    if (presented.via === "cookie") setSessionCookie(ctx.config, req, res, presented.sessionId);
    res.set("Cache-Control", "no-store").json({ sessionId: presented.sessionId, user, state });
  });

  return router;
}
