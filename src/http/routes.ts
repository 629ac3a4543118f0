// Every API router, in the order they are mounted.
import type { Router } from "express";
import type { AppContext } from "../context.js";

export function apiRouters(_ctx: AppContext): Router[] {
  return [];
}
