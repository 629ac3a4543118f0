// Games over HTTP: GET /api/games?status=live (the newest live games, for watchers),
// GET /api/games/:id (live from Redis, or archived from MongoDB) and its PGN.
import { Router, type Request } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { toPgn } from "../domain/pgn.js";
import { AppError } from "../protocol/errors.js";
import { loadGameView, type GameView } from "../store/game-history.js";
import { listLiveGames } from "../store/live-games.js";

const liveQuery = z.object({
  status: z.literal("live"),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** Game ids are URL-safe; anything else cannot name a game. */
const GAME_ID = /^[A-Za-z0-9_-]{1,64}$/;

async function viewOf(ctx: AppContext, req: Request): Promise<GameView> {
  const id = String(req.params.id);
  const view = GAME_ID.test(id) ? await loadGameView(ctx, id) : null;
  if (view === null) throw new AppError("NOT_FOUND", "No such game.");
  return view;
}

export function gamesRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/api/games", async (req, res) => {
    const query = liveQuery.safeParse(req.query);
    if (!query.success) throw new AppError("INVALID_INPUT", "Use ?status=live&limit=1..100.");
    const games = await listLiveGames(ctx, query.data.limit);
    res.set("Cache-Control", "no-store").json({ games });
  });

  router.get("/api/games/:id", async (req, res) => {
    const { game } = await viewOf(ctx, req);
    // A live game changes with every move: never cached.
    res
      .set("Cache-Control", game.status === "ended" ? "public, max-age=60" : "no-store")
      .json(game);
  });

  router.get("/api/games/:id/pgn", async (req, res) => {
    const view = await viewOf(ctx, req);
    const site = `${req.protocol}://${req.get("host") ?? "localhost"}/api/games/${view.game.id}`;
    const pgn = toPgn({ game: view.game, clocks: view.clocks, ratingDiff: view.ratingDiff, site });
    res.set("Cache-Control", view.game.status === "ended" ? "public, max-age=60" : "no-store");
    res.type("text/plain; charset=utf-8").send(pgn);
  });

  return router;
}
