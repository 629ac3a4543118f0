// What a player sees, in real Chromium: a rated game across two instances won by the scholar's
// mate, a reload mid-game, and the instance behind the load balancer killed mid-game.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { freePort, startNginx } from "../../scripts/lib/services.js";
import { testEnv, uniqueName } from "../helpers/env.js";
import { spawnInstance, type ChildInstance } from "../helpers/instances.js";
import {
  acceptProposal,
  boardPieces,
  clickMove,
  clickSquare,
  clockSeconds,
  establishedTo,
  launchBrowser,
  moveListText,
  myColor,
  openPlayer,
  playAsGuest,
  queue,
  register,
  shot,
  waitForPly,
  webSocketUrls,
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

async function instances(
  count: number,
  overrides: Record<string, string> = {},
): Promise<ChildInstance[]> {
  const env = testEnv({ PROPOSAL_MS: "15000", ...overrides });
  const list: ChildInstance[] = [];
  for (let i = 0; i < count; i++) {
    const instance = await spawnInstance(env);
    cleanups.push(instance.stop);
    list.push(instance);
  }
  return list;
}

/** The one instance that holds a websocket (through nginx), once exactly one does. */
async function instanceHolding(list: ChildInstance[]): Promise<ChildInstance | undefined> {
  for (let i = 0; i < 50; i++) {
    const holding = list.filter((instance) => establishedTo(instance.port) > 0);
    if (holding.length === 1) return holding[0];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Both players queue the same pool and accept; returns [white, black] once both see the board. */
async function startGame(a: Page, b: Page, pool: string): Promise<[Page, Page]> {
  await queue(a, pool);
  await queue(b, pool);
  await Promise.all([acceptProposal(a), acceptProposal(b)]);
  await Promise.all([a.waitForSelector("section.game"), b.waitForSelector("section.game")]);
  return (await myColor(a)) === "white" ? [a, b] : [b, a];
}

/** Plays moves from `from` on, each by the side to move, clicking squares. */
async function play(
  white: Page,
  black: Page,
  moves: string[],
  from: number,
  to: number,
): Promise<void> {
  for (let ply = from; ply < to; ply++) {
    await clickMove(ply % 2 === 0 ? white : black, moves[ply]!, ply + 1, [white, black]);
  }
}

async function ratingDiff(page: Page, color: "white" | "black"): Promise<number> {
  return Number(
    await page.locator(`.over .ratings li[data-color="${color}"] .rating-diff`).innerText(),
  );
}

void test(
  "two players on two instances register, queue, accept and play the scholar's mate",
  { timeout: 180_000 },
  async () => {
    const [a, b] = await instances(2);
    const pageA = await openPlayer(browser, a!.url);
    const pageB = await openPlayer(browser, b!.url);
    await shot(pageA, "1-entry");
    await register(pageA, uniqueName("w"));
    await register(pageB, uniqueName("b"));
    assert.equal(await pageA.getByRole("checkbox", { name: "Rated 3+2" }).isChecked(), true);
    await shot(pageA, "2-lobby");
    // The session rides in the HttpOnly cookie: not in the socket's URL, not in the page's storage.
    assert.ok(webSocketUrls(pageA).length > 0);
    for (const url of webSocketUrls(pageA)) assert.doesNotMatch(url, /session=/);
    assert.deepEqual(await pageA.evaluate("Object.keys(localStorage)"), []);

    await queue(pageA, "3+2");
    await shot(pageA, "3-queued");
    await queue(pageB, "3+2");
    await pageA.waitForSelector(".proposal");
    await shot(pageA, "4-proposal");
    await Promise.all([acceptProposal(pageA), acceptProposal(pageB)]);
    await Promise.all([
      pageA.waitForSelector("section.game"),
      pageB.waitForSelector("section.game"),
    ]);
    const [white, black] = (await myColor(pageA)) === "white" ? [pageA, pageB] : [pageB, pageA];
    assert.equal(await myColor(black), "black");

    await play(white, black, SCHOLARS_MATE, 0, 4);
    await shot(black, "5-game-black");
    await play(white, black, SCHOLARS_MATE, 4, 7);

    for (const page of [white, black]) {
      await page.waitForSelector(".over");
      assert.equal(await page.locator(".over .result").innerText(), "1-0");
      assert.match(await page.locator(".over .reason").innerText(), /checkmate/);
      assert.equal(await moveListText(page), "1. e4 e5 2. Bc4 Nc6 3. Qh5 Nf6 4. Qxf7#");
    }
    await shot(white, "6-over-white");
    await shot(black, "6-over-black");
    const gain = await ratingDiff(white, "white");
    assert.ok(gain > 0, `the winner's rating change is ${gain}`);
    assert.ok((await ratingDiff(black, "black")) < 0);

    // A fresh page load reads the ratings from the server: the winner's blitz rating has risen.
    const deadline = Date.now() + 30_000;
    let blitz = 0;
    while (Date.now() < deadline) {
      await white.reload();
      await white.waitForSelector('main[data-screen="lobby"] .my-ratings');
      blitz = Number(
        (await white.locator('.my-ratings [data-speed="blitz"]').innerText()).replace(/\D+/g, ""),
      );
      if (blitz > 1500) break;
      await white.waitForTimeout(500);
    }
    assert.ok(blitz > 1500, `the winner's blitz rating after the game is ${blitz}`);
    await shot(white, "7-lobby-after");

    // The winner's profile lists the game, with its PGN; the replay steps through its moves.
    await white.getByRole("link", { name: /Your profile/ }).click();
    await white.waitForSelector('section.profile[aria-busy="false"] tr[data-game]');
    const profileBlitz = await white
      .locator('.profile .ratings [data-speed="blitz"] .rating')
      .innerText();
    assert.ok(Number(profileBlitz) > 1500, `profile blitz rating ${profileBlitz}`);
    const row = white.locator("tr[data-game]").first();
    assert.match(await row.innerText(), /1-0 by checkmate/);
    const pgnHref = await row.getByRole("link", { name: "PGN" }).getAttribute("href");
    const pgn = await white.request.get(new URL(pgnHref!, white.url()).href);
    assert.equal(pgn.status(), 200);
    assert.match(await pgn.text(), /\[Result "1-0"\]/);
    await shot(white, "8-profile");
    await row.getByRole("link", { name: /Replay/ }).click();
    await white.waitForSelector('section.replay[data-ply="7"]');
    assert.match(await white.locator(".replay .moves").innerText(), /Qxf7#/);
    await white.getByRole("button", { name: "Previous move" }).click();
    await white.waitForSelector('section.replay[data-ply="6"]');
    await white.waitForTimeout(400); // the board animates the step back
    await shot(white, "9-replay");
  },
);

void test(
  "a premove plays itself, and a reload mid-game restores the board, the move list and the clocks",
  { timeout: 120_000 },
  async () => {
    const [a, b] = await instances(2);
    const pageA = await openPlayer(browser, a!.url);
    const pageB = await openPlayer(browser, b!.url);
    await playAsGuest(pageA);
    await playAsGuest(pageB);
    const [white, black] = await startGame(pageA, pageB, "5+0");
    // Black premoves e7-e5 during white's turn; chessground plays it as soon as e4 arrives.
    await clickSquare(black, "e7");
    await clickSquare(black, "e5");
    await clickMove(white, "e2e4", 1, []);
    await Promise.all([waitForPly(white, 2), waitForPly(black, 2)]);
    await play(white, black, SCHOLARS_MATE, 2, 3);
    // Both have moved, so black's clock runs; let it run visibly.
    await black.waitForTimeout(2500);

    const pieces = await boardPieces(black);
    const moves = await moveListText(black);
    const whiteBefore = await clockSeconds(black, "white");
    const blackBefore = await clockSeconds(black, "black");
    await shot(black, "10-before-reload");
    const reloadedAt = Date.now();
    await black.reload();
    await waitForPly(black, 3);
    // Before the next move the clock offset is known to about half a second: let the clock move on.
    await black.waitForTimeout(1000);
    await shot(black, "11-after-reload");

    assert.deepEqual(await boardPieces(black), pieces);
    assert.equal(await moveListText(black), moves);
    assert.equal(moves, "1. e4 e5 2. Bc4");
    assert.equal(await clockSeconds(black, "white"), whiteBefore, "the stopped clock is unchanged");
    const blackAfter = await clockSeconds(black, "black");
    const elapsedS = (Date.now() - reloadedAt) / 1000;
    assert.ok(
      blackAfter <= blackBefore,
      `black's clock went on running: ${blackBefore} → ${blackAfter}`,
    );
    assert.ok(
      blackAfter >= blackBefore - elapsedS - 2,
      `black's clock lost only the elapsed time: ${blackBefore} → ${blackAfter} in ${elapsedS} s`,
    );
    assert.ok(blackAfter < 300, "black's clock did not restart from the initial time");

    // The reloaded page plays on.
    await play(white, black, SCHOLARS_MATE, 3, 4);
    assert.equal(await moveListText(white), "1. e4 e5 2. Bc4 Nc6");
  },
);

void test(
  "killing the instance behind the load balancer mid-game loses nothing",
  { timeout: 180_000 },
  async () => {
    const [a, b] = await instances(2);
    const dir = mkdtempSync(join(tmpdir(), "chess-nginx-"));
    const nginx = await startNginx(await freePort(), [a!.port, b!.port], dir);
    cleanups.push(async () => {
      await nginx.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    // The player behind nginx connects first, so its websocket is the only one on either instance.
    const behind = await openPlayer(browser, nginx.url);
    await playAsGuest(behind);
    const held = await instanceHolding([a!, b!]);
    assert.ok(held, "the websocket through nginx reached an instance");
    const other = held === a ? b! : a!;
    const direct = await openPlayer(browser, other.url);
    await playAsGuest(direct);

    const [white, black] = await startGame(behind, direct, "3+2");
    await play(white, black, SCHOLARS_MATE, 0, 2);
    await shot(behind, "12-before-kill");

    const bannerShown = behind.waitForSelector("#banner", { state: "visible", timeout: 15_000 });
    await held.kill();
    await bannerShown;
    await shot(behind, "13-reconnecting");
    await behind.waitForSelector("#banner", { state: "hidden", timeout: 30_000 });
    await waitForPly(behind, 2);
    assert.equal(await moveListText(behind), "1. e4 e5");

    await play(white, black, SCHOLARS_MATE, 2, 7);
    for (const page of [white, black]) {
      await page.waitForSelector(".over");
      assert.equal(await page.locator(".over .result").innerText(), "1-0");
    }
    await shot(behind, "14-after-kill-over");
  },
);

void test(
  "in the browser: the lag shown, a takeback asked and accepted, 15 s given, and a game claimed when the opponent left",
  { timeout: 120_000 },
  async () => {
    const [a, b] = await instances(2, { GONE_MS: "3000", PRESENCE_HEARTBEAT_MS: "500" });
    const pageA = await openPlayer(browser, a!.url);
    const pageB = await openPlayer(browser, b!.url);
    await playAsGuest(pageA);
    await playAsGuest(pageB);
    const [white, black] = await startGame(pageA, pageB, "5+0");
    await play(white, black, ["e2e4", "e7e5", "g1f3"], 0, 3);
    // Each move's answer measured the round trip: the player sees its own lag.
    assert.match(await white.locator(".lag").innerText(), /^Lag \d+ ms$/);

    await white.getByRole("button", { name: "Ask to take back your last move" }).click();
    await black.waitForSelector(".takeback-offer");
    await shot(black, "takeback-offered");
    await black.getByRole("button", { name: "Accept takeback" }).click();
    for (const page of [white, black]) {
      await waitForPly(page, 2);
      assert.equal(await moveListText(page), "1. e4 e5");
    }
    await shot(white, "takeback-done");

    const before = await clockSeconds(black, "black");
    await white.getByRole("button", { name: "Give your opponent 15 seconds" }).click();
    let after = before;
    for (let i = 0; i < 50 && after < before + 14; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await clockSeconds(black, "black");
    }
    assert.ok(after >= before + 14, `black's clock went from ${before} s to ${after} s`);

    await play(white, black, ["e2e4", "e7e5", "g1f3", "b8c6"], 2, 4);
    await black.close();
    await white.waitForSelector(".opponent-gone");
    await shot(white, "opponent-gone");
    await new Promise((r) => setTimeout(r, 3_200));
    await white.getByRole("button", { name: "Claim victory" }).click();
    await white.waitForSelector(".over");
    assert.equal(await white.locator(".over .result").innerText(), "1-0");
    assert.match(await white.locator(".over .reason").innerText(), /opponent left/);
    await shot(white, "claimed");
  },
);
