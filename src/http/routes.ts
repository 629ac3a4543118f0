// Every API router, in the order they are mounted.
import type { Router } from "express";
import type { AppContext } from "../context.js";
import { accountsRouter } from "./accounts.js";
import { challengesRouter } from "./challenges.js";
import { gamesRouter } from "./games.js";
import { originGuard } from "./origin-guard.js";
import { usersRouter } from "./users.js";

export function apiRouters(ctx: AppContext): Router[] {
  // The origin guard first: it covers the state-changing requests of every router after it.
  return [
    originGuard(ctx),
    accountsRouter(ctx),
    gamesRouter(ctx),
    usersRouter(ctx),
    challengesRouter(ctx),
  ];
}
