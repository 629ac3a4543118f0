// Watching and rematch as people see them, in real Chromium: two guests play a link challenge on
// one instance; a third browser, behind nginx on two others, finds the game on the Watch page and
// watches it, through the death of its instance; after the mate the players decline one rematch
// and take the next, which starts with colours swapped.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { freePort, startNginx } from "../../scripts/lib/services.js";
import { testEnv } from "../helpers/env.js";
import { spawnInstance, type ChildInstance } from "../helpers/instances.js";
import {
  clickMove,
  establishedTo,
  launchBrowser,
  moveListText,
  myColor,
  openPlayer,
  playAsGuest,
  shot,
  waitForPly,
} from "./browser-driver.js";

const SCHOLARS_MATE = ["e2e4", "e7e5", "f1c4", "b8c6", "d1h5", "g8f6", "h5f7"];

let browser: Browser;
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await browser.close();
});

/** The one instance of `list` that holds a websocket (through nginx), once exactly one does. */
async function instanceHolding(list: ChildInstance[]): Promise<ChildInstance | undefined> {
  for (let i = 0; i < 50; i++) {
    const holding = list.filter((instance) => establishedTo(instance.port) > 0);
    if (holding.length === 1) return holding[0];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** A link challenge by `host` (white) accepted by a visitor with no session: [white, black]. */
async function linkGame(url: string): Promise<[Page, Page]> {
  const host = await openPlayer(browser, url);
  await playAsGuest(host);
  const panel = host.getByRole("region", { name: "Play a friend" });
  await panel.getByLabel("Time control").selectOption("5+3");
  await panel.getByLabel("Your colour").selectOption("white");
  await panel.getByRole("button", { name: "Challenge" }).click();
  const link = panel.locator(".mine .challenge input");
  await link.waitFor();
  const visitor = await (
    await browser.newContext({ viewport: { width: 1100, height: 820 } })
  ).newPage();
  await visitor.goto(await link.inputValue());
  await visitor.getByRole("button", { name: "Play as guest and accept" }).click();
  await Promise.all([
    host.waitForSelector("section.game"),
    visitor.waitForSelector("section.game"),
  ]);
  return [host, visitor];
}

async function gameIdOf(page: Page): Promise<string> {
  const id = await page.locator("section.game").getAttribute("data-game-id");
  assert.ok(id, "the game screen names its game");
  return id;
}

async function play(pages: Page[], white: Page, black: Page, from: number, to: number) {
  for (let ply = from; ply < to; ply++)
    await clickMove(ply % 2 === 0 ? white : black, SCHOLARS_MATE[ply]!, ply + 1, pages);
}

void test(
  "a third browser finds a link challenge's game on the Watch page and watches it through its instance's death; the players then take a rematch with colours swapped",
  { timeout: 240_000 },
  async () => {
    const env = testEnv({ PRESENCE_HEARTBEAT_MS: "500" });
    const [a, b, c] = [
      await spawnInstance(env),
      await spawnInstance(env),
      await spawnInstance(env),
    ];
    for (const s of [a, b, c]) cleanups.push(s.stop);
    const dir = mkdtempSync(join(tmpdir(), "chess-nginx-"));
    const nginx = await startNginx(await freePort(), [b.port, c.port], dir);
    cleanups.push(async () => {
      await nginx.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const [white, black] = await linkGame(a.url);
    assert.deepEqual([await myColor(white), await myColor(black)], ["white", "black"]);
    const gameId = await gameIdOf(white);

    // The watcher, behind nginx: its websocket is the only one on b or c.
    const watcher = await openPlayer(browser, nginx.url);
    await playAsGuest(watcher);
    const held = await instanceHolding([b, c]);
    assert.ok(held, "the watcher's websocket reached an instance through nginx");
    await watcher.getByRole("navigation").getByRole("link", { name: "Watch" }).click();
    const listed = watcher.locator(`.live-game[data-id="${gameId}"]`);
    await listed.waitFor();
    assert.match(await listed.innerText(), /Guest-.* \(1500\) – Guest-.* \(1500\)/i);
    assert.match(await listed.locator(".terms").innerText(), /^5\+3 blitz · casual$/);
    assert.equal(await listed.locator(".progress").innerText(), "No move yet");
    await shot(watcher, "watch-list");

    await listed.getByRole("link").click();
    await watcher.waitForSelector(
      `main[data-screen="watch"] section.game[data-game-id="${gameId}"]`,
    );
    const all = [white, black, watcher];
    await play(all, white, black, 0, 4);
    assert.equal(await moveListText(watcher), "1. e4 e5 2. Bc4 Nc6");
    // A watcher has no colour: the board faces white, and there is nothing to press but leave.
    assert.equal(await watcher.locator("section.game").getAttribute("data-my-color"), "");
    assert.equal(await watcher.locator(".cg-wrap.orientation-white").count(), 1);
    assert.equal(await watcher.locator(".controls-box button").count(), 0);
    assert.equal(await watcher.locator(".type-move").isHidden(), true);
    // The crowd: both players connected, one watcher (this one).
    const crowd = watcher.locator('.crowd[data-watchers="1"]');
    await crowd.waitFor();
    assert.doesNotMatch(await crowd.innerText(), /not connected/);
    assert.match(await crowd.innerText(), /connected · .* connected · 1 watcher$/);
    await shot(watcher, "watch-game");

    // The watcher's instance dies; a move is made meanwhile. Socket.IO reconnects through nginx
    // to the other instance, the client watches again, and catches up.
    const bannerShown = watcher.waitForSelector("#banner", { state: "visible", timeout: 15_000 });
    await held.kill();
    await bannerShown;
    await clickMove(white, SCHOLARS_MATE[4]!, 5, [white, black]);
    await watcher.waitForSelector("#banner", { state: "hidden", timeout: 30_000 });
    await waitForPly(watcher, 5);
    await play(all, white, black, 5, 7);
    for (const page of all) {
      await page.waitForSelector(".over");
      assert.equal(await page.locator(".over .result").innerText(), "1-0");
    }
    assert.equal(await moveListText(watcher), "1. e4 e5 2. Bc4 Nc6 3. Qh5 Nf6 4. Qxf7#");
    assert.match(await watcher.locator(".over .reason").innerText(), /^White wins by checkmate/);
    assert.equal(await watcher.locator(".over .rematch").count(), 0);
    await shot(watcher, "watch-over");

    // A rematch offered and declined, then offered again and accepted.
    await white.getByRole("button", { name: "Rematch", exact: true }).click();
    await white.locator('.rematch-box[data-rematch="mine"]').waitFor();
    assert.equal(await white.locator(".over .rematch").innerText(), "Rematch offered");
    await black.locator(".rematch-offer").waitFor();
    await black.getByRole("button", { name: "Decline" }).click();
    await white.getByText("Your opponent declined the rematch.").waitFor();
    await white.locator('.rematch-box[data-rematch="none"]').waitFor();
    await black.locator('.rematch-box[data-rematch="none"]').waitFor();

    await white.getByRole("button", { name: "Rematch", exact: true }).click();
    await black.locator(".rematch-offer").waitFor();
    await shot(white, "rematch-offered");
    await shot(black, "rematch-offer-received");
    await black.getByRole("button", { name: "Accept rematch" }).click();
    const next = `section.game[data-status="started"]:not([data-game-id="${gameId}"])`;
    await Promise.all([white.waitForSelector(next), black.waitForSelector(next)]);
    const rematchId = await gameIdOf(white);
    assert.equal(await gameIdOf(black), rematchId);
    assert.deepEqual([await myColor(white), await myColor(black)], ["black", "white"]);
    await shot(black, "rematch-accepted");

    // The rematch is on the Watch page too.
    await watcher.goto(`${nginx.url}/#/watch`);
    await watcher.locator(`.live-game[data-id="${rematchId}"]`).waitFor();
  },
);
