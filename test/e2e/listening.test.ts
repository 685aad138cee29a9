import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, konversaForTest, launchChromium, type Running } from "./konversaProcess.js";

/*
 * Listening as the demo administrator meets it, in German: a query written with the builder (a
 * syntax error is shown before saving), mentions arriving on the open page without a reload, and
 * the dashboard's charts drawn. Screenshots stay in test-results/e2e.
 */
let konversa: Running | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let origin: string;
const pageErrors: string[] = [];
const cspViolations: string[] = [];
const failedRequests: string[] = [];
const marker = `e2ehoerprobe${Date.now().toString(36)}`;

beforeAll(async () => {
  konversa = await konversaForTest();
  origin = new URL(konversa.url).origin;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "de-DE" });
  page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${error.message}\n${error.stack ?? ""}`));
  page.on("console", (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on("response", (response) => {
    if (response.url().includes("/api/") && response.status() >= 500)
      failedRequests.push(`${response.status()} ${response.url()}`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await konversa?.stop();
}, 60_000);

describe("listening in the browser", () => {
  it("the demo administrator signs in and opens Listening", async () => {
    await page.goto(`${origin}/login`);
    await page.getByLabel("E-Mail", { exact: true }).fill(konversa!.email);
    await page.getByLabel("Passwort", { exact: true }).fill(konversa!.password);
    await page.getByRole("button", { name: "Anmelden" }).click();
    await page.waitForURL(/\/inbox/);
    await page
      .getByRole("navigation", { name: "Hauptnavigation" })
      .getByRole("link", { name: "Zuhören" })
      .click();
    await page.waitForURL(/\/listening\/mentions/);
    await page.getByRole("heading", { name: "Erwähnungen", level: 1 }).waitFor();
  });

  it("the query builder shows a syntax error with its position before saving, then saves a valid query", async () => {
    await page.getByRole("tab", { name: "Suchprofile" }).click();
    await page.waitForURL(/\/listening\/queries/);
    // The demo's queries are listed.
    await page.getByRole("table", { name: "Suchprofile" }).getByRole("row").nth(1).waitFor();
    await page.getByRole("button", { name: "Neues Suchprofil" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("textbox", { name: /^Name/ }).fill("E2E Hörprobe");
    await dialog.getByText("Kampagne", { exact: true }).click();
    expect(await dialog.getByRole("radio", { name: "Kampagne" }).isChecked()).toBe(true);
    const expression = dialog.getByRole("textbox", { name: "Suchausdruck" });
    await expression.fill("nordbahn AND (zug OR bahn");
    const problem = dialog.locator(".query-syntax-error");
    await problem.waitFor();
    expect(await problem.textContent()).toContain("Eine Klammer wird nicht geschlossen");
    expect(await problem.textContent()).toContain("Position 14");
    // Message and hint in the reader's language too.
    expect(await problem.textContent()).toContain(
      "Hinweis: Schließen Sie die an Position 14 geöffnete Klammer mit ).",
    );
    expect(await dialog.getByRole("button", { name: "Anlegen" }).isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(artifacts, "listening-query-error.png") });

    // Close the group by typing, then add an alternative with the helper's OR button.
    await expression.press("End");
    await expression.pressSequentially(")");
    await dialog.getByRole("button", { name: "OR (ODER): eines von beiden genügt" }).click();
    await expression.pressSequentially(marker);
    expect(await expression.inputValue()).toBe(`nordbahn AND (zug OR bahn) OR ${marker}`);
    await dialog.getByText("Der Suchausdruck ist gültig").waitFor();
    expect(await problem.count()).toBe(0);
    await dialog.getByRole("button", { name: "Anlegen" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = page.getByRole("row", { name: /E2E Hörprobe/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Kampagne");
  });

  it("new mentions stream into the open mentions page without a reload", async () => {
    await page.getByRole("tab", { name: "Erwähnungen" }).click();
    await page.waitForURL(/\/listening\/mentions/);
    const list = page.getByRole("list", { name: "Erwähnungen" });
    await list.getByRole("listitem").first().waitFor();
    // Survives only if the page is not reloaded.
    await page.evaluate(() => {
      (window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true;
    });
    const texts = [1, 2, 3].map((n) => `${marker} Nummer ${n}: Der Zug war heute pünktlich, danke!`);
    const accepted = await page.evaluate(
      async (posts) => {
        const response = await fetch("/api/v1/ingest/posts", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ posts }),
        });
        return (await response.json()) as { accepted: number };
      },
      texts.map((text, i) => ({
        network: "mastodon",
        externalId: `${marker}-${i}`,
        text,
        author: { handle: `hoerer${i}@social.example`, displayName: `Hörer ${i + 1}` },
        postedAt: new Date().toISOString(),
        languageHint: "de",
      })),
    );
    expect(accepted.accepted).toBe(3);
    for (const text of texts) await list.getByText(text).waitFor({ timeout: 20_000 });
    const arrived = list.locator(".mention-card[data-fresh]", { hasText: marker });
    expect(await arrived.count()).toBe(3);
    expect(await arrived.first().getByText("Neu", { exact: true }).count()).toBe(1);
    expect(
      await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage),
    ).toBe(true);
    await page.screenshot({ path: path.join(artifacts, "listening-mentions-live.png") });

    // The new query found them: filtering by it shows exactly these.
    await page.getByRole("combobox", { name: "Suchprofil" }).click();
    await page.getByRole("option", { name: "E2E Hörprobe" }).click();
    await expect.poll(() => list.getByRole("listitem").count(), { timeout: 10_000 }).toBe(3);
  });

  it("the dashboard draws its charts", async () => {
    await page.getByRole("tab", { name: "Dashboard" }).click();
    await page.waitForURL(/\/listening\/dashboard/);
    const cards = page.locator(".chart-card");
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBe(7);
    // Every chart of the demo's last 7 days has data and draws on a canvas.
    await expect.poll(() => page.locator(".chart-card canvas").count(), { timeout: 20_000 }).toBe(7);
    expect(await page.locator(".chart-card [role=alert]").count()).toBe(0);
    // A window tall enough for the whole dashboard (a full-page capture would resize the charts mid-shot).
    await page.setViewportSize({ width: 1366, height: 1900 });
    await page.waitForTimeout(1000); // the charts follow the new size and finish their entry animations
    expect(await page.locator(".chart-card [role=alert]").count()).toBe(0);
    await page.screenshot({ path: path.join(artifacts, "listening-dashboard.png") });
  });

  it("nothing broke on the way", () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(failedRequests).toEqual([]);
  });
});
