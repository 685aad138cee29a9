import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, konversaForTest, launchChromium, type Running } from "./konversaProcess.js";

/*
 * The first-run promise of the README, checked the way a person would: `npm start` on a fresh data
 * directory builds and starts Konversa and prints the demo credentials once; signing in with them
 * in Chromium shows the inbox with the demo conversations. Screenshots stay in test-results/e2e.
 */
let konversa: Running | undefined;
let browser: Browser | undefined;
let desktop: BrowserContext;
let page: Page;
let origin: string;
const requests: string[] = [];
const pageErrors: string[] = [];
const cspViolations: string[] = [];

/** Every request of every page in the context, and anything the page complains about. */
function watch(context: BrowserContext) {
  context.on("request", (request) => requests.push(request.url()));
  context.on("page", (opened) => {
    opened.on("pageerror", (error) => pageErrors.push(error.message));
    opened.on("console", (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });
}

beforeAll(async () => {
  konversa = await konversaForTest();
  origin = new URL(konversa.url).origin;
  browser = await launchChromium();
  // A German browser: the app starts in German without being told.
  desktop = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "de-DE" });
  watch(desktop);
  page = await desktop.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await konversa?.stop();
}, 60_000);

describe("npm start on a fresh clone", () => {
  it("prints the demo sign-in once and serves the app", async () => {
    expect(konversa?.email).toBe("admin@konversa.local");
    expect(konversa?.password.length).toBeGreaterThanOrEqual(8);
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(200);
    if (konversa?.child) {
      // Only the app's own scripts may run: no inline script, nothing from other hosts.
      const csp = response?.headers()["content-security-policy"] ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
    }
    await page.waitForURL(/\/login/);
    await expect.poll(() => page.getByRole("heading", { name: "Bei Konversa anmelden" }).count()).toBe(1);
  });

  it("signing in with the printed credentials shows the inbox with demo conversations", async () => {
    await page.getByLabel("E-Mail", { exact: true }).fill(konversa!.email);
    await page.getByLabel("Passwort", { exact: true }).fill(konversa!.password);
    await page.getByRole("button", { name: "Anmelden" }).click();
    await page.waitForURL(/\/inbox/);
    const rows = page.getByRole("list", { name: "Konversationen" }).getByRole("listitem");
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThanOrEqual(5);
    await expect.poll(() => page.getByRole("heading", { name: "Posteingang", level: 1 }).count()).toBe(1);
    // Relative times in German, e.g. "vor 2 Stunden".
    expect(await rows.first().locator("time").textContent()).toMatch(/vor|gerade|gestern|jetzt/);
  });

  it("a conversation opens beside the list with its messages", async () => {
    const row = page.getByRole("list", { name: "Konversationen" }).getByRole("listitem").nth(1);
    const subject = (await row.locator(".conversation-text > div").nth(1).textContent())?.trim();
    await row.getByRole("link").click();
    await page.waitForURL(/\/inbox\/[0-9a-f-]{36}/);
    const messages = page.getByRole("region", { name: "Nachrichten" }).getByRole("listitem");
    await messages.first().waitFor();
    expect(await messages.count()).toBeGreaterThanOrEqual(1);
    expect((await messages.first().locator(".message-body").textContent())?.trim().length).toBeGreaterThan(0);
    expect(await page.getByRole("heading", { level: 2, name: subject }).count()).toBe(1);
    expect(await page.title()).toBe(`${subject} · Konversa`);
    // The list stays beside the conversation on a desktop.
    expect(await page.getByRole("list", { name: "Konversationen" }).isVisible()).toBe(true);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(artifacts, "inbox-desktop.png") });
  });

  it("a new contact is created from the list and changed on its page with the same form", async () => {
    await page.goto(`${origin}/contacts`);
    await page.getByRole("button", { name: "Neuer Kontakt" }).click();
    const create = page.getByRole("dialog", { name: "Neuer Kontakt" });
    await create.getByRole("textbox", { name: /^Name/ }).fill("Erika Formtest");
    await create.getByRole("textbox", { name: /^E-Mail/ }).fill("erika.formtest@example.test");
    await create.getByRole("textbox", { name: /^Eigene Felder/ }).fill("customer_number = K-4711");
    await create.getByRole("button", { name: "Anlegen" }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}/);
    await page.getByText("K-4711").first().waitFor();

    await page.getByRole("button", { name: "Bearbeiten" }).first().click();
    const edit = page.getByRole("dialog", { name: "Bearbeiten" });
    // The page's form has the fields the list's lacks, filled in from the contact.
    expect(await edit.getByRole("textbox", { name: /^E-Mail/ }).inputValue()).toBe(
      "erika.formtest@example.test",
    );
    await edit.getByRole("textbox", { name: /^Telefon/ }).fill("+49 30 1234567");
    await edit.getByRole("button", { name: "Speichern" }).click();
    await edit.waitFor({ state: "detached" });
    await page.getByText("+49 30 1234567").first().waitFor();
    await page.getByText("K-4711").first().waitFor();
  });

  it("the language switches between German and English", async () => {
    const nav = page.getByRole("navigation", { name: "Hauptnavigation" });
    expect(await nav.getByRole("link", { name: "Posteingang" }).count()).toBe(1);
    await page.getByRole("radiogroup", { name: "Sprache" }).getByText("EN", { exact: true }).click();
    const navEn = page.getByRole("navigation", { name: "Main navigation" });
    await navEn.getByRole("link", { name: "Inbox" }).waitFor();
    expect(await navEn.getByRole("link", { name: "Contacts" }).count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    // The choice survives a reload.
    await page.reload();
    await navEn.getByRole("link", { name: "Inbox" }).waitFor();
    await page.getByRole("radiogroup", { name: "Language" }).getByText("DE", { exact: true }).click();
    await nav.getByRole("link", { name: "Posteingang" }).waitFor();
  });

  it("on a phone the list and the conversation take turns, behind a menu button", async () => {
    const phone = await browser!.newContext({
      viewport: { width: 390, height: 844 },
      locale: "de-DE",
      isMobile: true,
      hasTouch: true,
      storageState: await desktop.storageState(),
    });
    watch(phone);
    try {
      const mobile = await phone.newPage();
      await mobile.goto(`${origin}/inbox`);
      const list = mobile.getByRole("list", { name: "Konversationen" });
      await list.getByRole("listitem").first().waitFor();
      expect(await mobile.getByRole("button", { name: "Navigation öffnen" }).isVisible()).toBe(true);
      expect(await mobile.getByRole("navigation", { name: "Hauptnavigation" }).isVisible()).toBe(false);
      await mobile.screenshot({ path: path.join(artifacts, "inbox-phone.png") });

      await list.getByRole("listitem").first().getByRole("link").tap();
      await mobile.getByRole("region", { name: "Nachrichten" }).getByRole("listitem").first().waitFor();
      expect(await list.isVisible()).toBe(false);
      await mobile.screenshot({ path: path.join(artifacts, "conversation-phone.png") });
      await mobile.getByRole("link", { name: "Alle Konversationen" }).tap();
      await list.waitFor();

      await mobile.getByRole("button", { name: "Navigation öffnen" }).tap();
      await mobile.getByRole("navigation", { name: "Hauptnavigation" }).waitFor();
      await mobile.getByRole("link", { name: "Kontakte" }).tap();
      await mobile.waitForURL(/\/contacts/);
    } finally {
      await phone.close();
    }
  });

  it("signing out returns to the login page", async () => {
    await page.getByRole("button", { name: "Kontomenü" }).click();
    await page.getByRole("menuitem", { name: "Abmelden" }).click();
    await page.waitForURL(/\/login/);
    await page.getByRole("heading", { name: "Bei Konversa anmelden" }).waitFor();
    // The session is gone: the inbox asks for a sign-in again.
    await page.goto(`${origin}/inbox`);
    await page.waitForURL(/\/login/);
    await page.getByLabel("E-Mail", { exact: true }).waitFor();
  });

  it("no request left the app's origin and the page broke no rule", () => {
    expect(requests.length).toBeGreaterThan(10);
    const foreign = requests.filter((url) => !url.startsWith(`${origin}/`));
    expect(foreign).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
