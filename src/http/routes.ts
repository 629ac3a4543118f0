// Every API router, in the order they are mounted.
import type { Router } from "express";
import type { AppContext } from "../context.js";
import { accountsRouter } from "./accounts.js";
import { originGuard } from "./origin-guard.js";

export function apiRouters(ctx: AppContext): Router[] {
  // The origin guard first: it covers the state-changing requests of every router after it.
  return [originGuard(ctx), accountsRouter(ctx)];
}
