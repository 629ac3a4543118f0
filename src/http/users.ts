// Public profiles over HTTP: GET /api/users/:username (ratings and game counts) and
// GET /api/users/:username/games (finished games, newest first, in cursor pages).
import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { AppError } from "../protocol/errors.js";
import { gameFromDoc } from "../store/archive.js";
import { findUserByName, listUserGames, type HistoryCursor } from "../store/game-history.js";
import { NO_GAMES, publicRatings } from "../store/users.js";

const USERNAME = /^[A-Za-z0-9_-]{3,20}$/;

/** The cursor is opaque to clients: base64url of "<endedAt>.<gameId>" of a page's last game. */
export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(`${cursor.endedAt}.${cursor.id}`).toString("base64url");
}

export function decodeCursor(text: string): HistoryCursor | null {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(
    Buffer.from(text, "base64url").toString("utf8"),
  );
  return match ? { endedAt: Number(match[1]), id: match[2]! } : null;
}

const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z
    .string()
    .max(200)
    .transform(
      (s, ctx) =>
        decodeCursor(s) ?? (ctx.addIssue({ code: "custom", message: "bad cursor" }), z.NEVER),
    )
    .optional(),
});

async function userOrNotFound(ctx: AppContext, username: string) {
  const user = USERNAME.test(username) ? await findUserByName(ctx, username) : null;
  if (user === null) throw new AppError("NOT_FOUND", "No such user.");
  return user;
}

export function usersRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/api/users/:username", async (req, res) => {
    // The counts are the archiver's, on the document: one read, never a count of the games.
    const user = await userOrNotFound(ctx, String(req.params.username));
    res.json({
      username: user.username,
      ratings: publicRatings(user.ratings),
      games: { ...NO_GAMES, ...user.gameCounts },
      createdAt: user.createdAt,
    });
  });

  router.get("/api/users/:username/games", async (req, res) => {
    const query = historyQuery.safeParse(req.query);
    if (!query.success)
      throw new AppError(
        "INVALID_INPUT",
        "limit must be 1–100; before must be a cursor from `next`.",
      );
    const user = await userOrNotFound(ctx, String(req.params.username));
    const page = await listUserGames(ctx, user._id, query.data.limit, query.data.before ?? null);
    res.json({
      games: page.games.map(gameFromDoc),
      next: page.next ? encodeCursor(page.next) : null,
    });
  });

  return router;
}
