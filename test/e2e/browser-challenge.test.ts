// Challenges as players see them, in real Chromium, on two instances: a link challenge sent to
// someone with no session (who plays as a guest), and a challenge by username declined, then
// accepted from the lobby.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { testEnv, uniqueName } from "../helpers/env.js";
import { spawnInstance, type ChildInstance } from "../helpers/instances.js";
import {
  launchBrowser,
  myColor,
  openPlayer,
  playAsGuest,
  register,
  shot,
} from "./browser-driver.js";

let browser: Browser;
let servers: ChildInstance[] = [];

before(async () => {
  browser = await launchBrowser();
  const env = testEnv();
  servers = [await spawnInstance(env), await spawnInstance(env)];
});

after(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  await browser.close();
});

async function challenge(page: Page, opts: { color?: string; to?: string }): Promise<string> {
  const panel = page.getByRole("region", { name: "Play a friend" });
  await panel.getByLabel("Time control").selectOption("3+2");
  if (opts.color) await panel.getByLabel("Your colour").selectOption(opts.color);
  if (opts.to) await panel.getByLabel("Opponent (username)").fill(opts.to);
  await panel.getByRole("button", { name: "Challenge" }).click();
  const link = panel.locator(".mine .challenge input");
  await link.waitFor();
  return link.inputValue();
}

void test("a link challenge: the visitor with no session sees the offer, plays as a guest and gets the game", async () => {
  const host = await openPlayer(browser, servers[0]!.url);
  await playAsGuest(host);
  const link = await challenge(host, { color: "black" });
  assert.match(link, /#\/challenge\/[A-Za-z0-9_-]+$/);
  await shot(host, "challenge-created");

  const context = await browser.newContext({ viewport: { width: 1100, height: 820 } });
  const visitor = await context.newPage();
  // The link, opened through the other instance.
  await visitor.goto(link.replace(servers[0]!.url, servers[1]!.url));
  const accept = visitor.getByRole("button", { name: "Play as guest and accept" });
  await accept.waitFor();
  assert.match(await visitor.locator(".challenge-link .terms").innerText(), /3\+2 · casual/);
  await shot(visitor, "challenge-link");
  await accept.click();
  await Promise.all([
    host.waitForSelector("section.game"),
    visitor.waitForSelector("section.game"),
  ]);
  assert.equal(await myColor(host), "black");
  assert.equal(await myColor(visitor), "white");
  await shot(visitor, "challenge-game");
  await context.close();
  await host.context().close();
});

void test("a challenge by username: the addressee declines one, then accepts the next from the lobby", async () => {
  const alice = await openPlayer(browser, servers[0]!.url);
  const bob = await openPlayer(browser, servers[1]!.url);
  const bobName = uniqueName("b_");
  await register(alice, uniqueName("a_"));
  await register(bob, bobName);

  await challenge(alice, { to: bobName, color: "white" });
  const incoming = bob.locator(".theirs .challenge");
  await incoming.waitFor();
  await shot(bob, "challenge-incoming");
  await incoming.getByRole("button", { name: "Decline" }).click();
  await alice.getByText("The challenge was declined.").waitFor();
  await alice.locator(".mine .challenge").waitFor({ state: "detached" });

  await challenge(alice, { to: bobName, color: "white" });
  await incoming.getByRole("button", { name: "Accept" }).click();
  await Promise.all([alice.waitForSelector("section.game"), bob.waitForSelector("section.game")]);
  assert.equal(await myColor(alice), "white");
  assert.equal(await myColor(bob), "black");
  await alice.context().close();
  await bob.context().close();
});
