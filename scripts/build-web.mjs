#!/usr/bin/env node
// Builds the browser client with Vite into src/web/dist, when the client exists.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

if (!existsSync(new URL("../src/web/vite.config.ts", import.meta.url))) process.exit(0);
const r = spawnSync(
  "npx",
  ["vite", "build", "--config", "src/web/vite.config.ts", "--logLevel", "warn"],
  {
    stdio: "inherit",
  },
);
process.exit(r.status ?? 1);
