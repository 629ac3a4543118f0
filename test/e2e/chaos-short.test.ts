// The short chaos run of `npm test` (issue: 20 games, 30 s, on one Redis): bench/chaos.ts as
// `npm run chaos` runs it, with 3 instances behind nginx SIGKILLed and restarted every few
// seconds. It checks every game itself and exits non-zero on any anomaly; this asserts its exit
// and that the faults it reports did happen (kills, reconnections), so a run that hurt nobody
// cannot pass for one that survived.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const CHAOS = fileURLToPath(new URL("../../bench/chaos.js", import.meta.url));

test("chaos, 20 games for 30 s on one Redis, instances SIGKILLed: zero anomalies", async () => {
  const child = spawn(process.execPath, [CHAOS, "--redis", "single"], {
    env: { ...process.env, GAMES: "20", DURATION_S: "30", SEED: "7" },
    // nginx's error log (one line per refused reconnection) goes to stderr: not kept.
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const line = out.split("\n").find((l) => l.startsWith("report: "));
  assert.ok(line !== undefined, `no report:\n${out}`);
  const report = JSON.parse(line.slice("report: ".length)) as Record<string, number>;
  assert.equal(code, 0, out);
  assert.equal(report.anomalies, 0, out);
  assert.ok(report.games! >= 20, `${report.games} games`);
  assert.ok(report.instanceKills! >= 3, `${report.instanceKills} kills`);
  assert.ok(report.reconnects! > 0 && report.ackedMoves! > 0, out);
  console.log(
    out
      .split("\n")
      .filter((l) => l.startsWith("games "))
      .join("\n"),
  );
});
