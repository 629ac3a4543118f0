// Challenges over HTTP: GET /api/challenges/:id, so that a link can show what it offers.
import { Router } from "express";
import type { AppContext } from "../context.js";
import { AppError } from "../protocol/errors.js";
import { challengeView, loadChallenge } from "../store/challenges.js";
import { redisNowMs } from "../store/matchmaking.js";

/** Challenge ids are URL-safe; anything else cannot name one. */
const CHALLENGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function challengesRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/api/challenges/:id", async (req, res) => {
    const id = String(req.params.id);
    const challenge = CHALLENGE_ID.test(id) ? await loadChallenge(ctx, id) : null;
    // Past its expiresAt it is no longer open, even before the expiry has run.
    if (challenge === null || challenge.expiresAt <= (await redisNowMs(ctx))) {
      throw new AppError("NOT_FOUND", "No such open challenge.");
    }
    res.set("Cache-Control", "no-store").json({ challenge: challengeView(challenge) });
  });

  return router;
}
