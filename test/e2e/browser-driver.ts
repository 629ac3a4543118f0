// Drives the browser client in Debian's Chromium through playwright-core, as a player would:
// forms, buttons, and clicks on board squares. Screenshots go to test-artifacts/.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "../../scripts/lib/services.js";

export const ARTIFACTS = join(ROOT, "test-artifacts");

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

const socketUrls = new WeakMap<Page, string[]>();

/** The URLs of every websocket the page opened so far. */
export const webSocketUrls = (page: Page): string[] => socketUrls.get(page) ?? [];

/** A fresh browser profile (own storage and cookies) on the client served at `url`. */
export async function openPlayer(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 820 } });
  const page = await context.newPage();
  const urls: string[] = [];
  socketUrls.set(page, urls);
  page.on("websocket", (ws) => urls.push(ws.url()));
  page.setDefaultTimeout(20_000);
  await page.goto(url);
  await page.waitForSelector('main[data-screen="entry"]');
  return page;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `browser-${name}.png`) });
}

export async function register(page: Page, username: string): Promise<void> {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Register" }).click();
  await page.waitForSelector('main[data-screen="lobby"] .pools');
}

export async function playAsGuest(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Play as guest" }).click();
  await page.waitForSelector('main[data-screen="lobby"] .pools');
}

/** Clicks a pool's button and waits until the lobby shows the queue (or a proposal already). */
export async function queue(page: Page, pool: string): Promise<void> {
  await page
    .getByRole("button", { name: new RegExp(`^Play ${pool.replace("+", "\\+")} `) })
    .click();
  await page.waitForSelector(
    'section.lobby[data-status="queued"], section.lobby[data-status="proposed"]',
  );
}

export async function acceptProposal(page: Page): Promise<void> {
  await page.waitForSelector(".proposal");
  await page.getByRole("button", { name: "Accept" }).click();
}

export async function myColor(page: Page): Promise<"white" | "black"> {
  const color = await page.locator("section.game").getAttribute("data-my-color");
  if (color !== "white" && color !== "black")
    throw new Error(`no colour on the game screen: ${color}`);
  return color;
}

/** Clicks the centre of a square, wherever the board's orientation puts it. */
export async function clickSquare(page: Page, square: string): Promise<void> {
  const color = await myColor(page);
  const box = await page.locator("cg-board").boundingBox();
  if (box === null) throw new Error("no board on screen");
  const file = square.charCodeAt(0) - 97;
  const rank = Number(square[1]) - 1;
  const col = color === "white" ? file : 7 - file;
  const row = color === "white" ? 7 - rank : rank;
  const size = box.width / 8;
  await page.mouse.click(box.x + (col + 0.5) * size, box.y + (row + 0.5) * size);
}

/** Plays a move by clicking its two squares, then waits until every page shows the new ply. */
export async function clickMove(
  mover: Page,
  uci: string,
  ply: number,
  watchers: Page[],
): Promise<void> {
  await clickSquare(mover, uci.slice(0, 2));
  await clickSquare(mover, uci.slice(2, 4));
  for (const page of watchers) await waitForPly(page, ply);
}

export async function waitForPly(page: Page, ply: number): Promise<void> {
  await page.waitForSelector(`section.game[data-ply="${ply}"]`);
}

/** The pieces as chessground drew them: "e4:white pawn" and so on, sorted. */
export async function boardPieces(page: Page): Promise<string[]> {
  // Chessground keeps each piece's square on the element as `cgKey`.
  type PieceEl = {
    classList: { contains: (name: string) => boolean };
    className: string;
    cgKey: string;
  };
  return page.$$eval("cg-board piece", (els: unknown[]) =>
    (els as PieceEl[])
      .filter((el) => !el.classList.contains("ghost") && !el.classList.contains("fading"))
      .map((el) => `${el.cgKey}:${el.className}`)
      .sort(),
  );
}

export async function moveListText(page: Page): Promise<string> {
  return (await page.locator(".moves").innerText()).replace(/\s+/g, " ").trim();
}

/** A clock's text in seconds: "2:57" → 177, "9.8" → 9.8. */
export async function clockSeconds(page: Page, color: "white" | "black"): Promise<number> {
  const text = (await page.locator(`.clock[data-color="${color}"]`).innerText()).trim();
  const parts = text.split(":").map(Number);
  return parts.reduce((acc, n) => acc * 60 + n, 0);
}

/** Established TCP connections to a local port: the websockets an instance holds (from nginx). */
export function establishedTo(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[1]?.endsWith(`:${hex}`) && cols[3] === "01").length;
}
