// The limits' numbers live in one table of docs/protocol.md: it must say what the code does.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ROOT } from "../../scripts/lib/services.js";
import { RATE_LIMITS } from "../../src/store/rate-limits.js";
import { MAX_SESSIONS_PER_USER } from "../../src/store/sessions.js";

const window = (s: number) => (s === 3600 ? "hour" : `${s / 60} min`);

test("docs/protocol.md's table of limits has every limit's numbers", () => {
  const doc = readFileSync(`${ROOT}/docs/protocol.md`, "utf8");
  const rows = doc.split("\n").filter((line) => line.startsWith("| "));
  const table = (per: string) =>
    rows.filter((row) => row.split("|")[2]!.trim().startsWith(per)).join("\n");
  for (const [name, limit] of Object.entries(RATE_LIMITS)) {
    const expected = `${limit.points} per ${window(limit.durationS)}`;
    assert.ok(table(limit.per).includes(`| ${expected}`), `${name}: ${expected}`);
  }
  assert.match(table("registered user"), new RegExp(`\\| ${MAX_SESSIONS_PER_USER}; `));
});
