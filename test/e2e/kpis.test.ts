import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, konversaForTest, launchChromium, type Running } from "./konversaProcess.js";

/*
 * KPIs and reports on a phone, in German, as the demo administrator: the dashboard after an
 * update of the rollups, a goal with its target-vs-actual chart, and a briefing generated and
 * opened as a web page. Screenshots stay in test-results/e2e.
 */
let konversa: Running | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let origin: string;
const pageErrors: string[] = [];
const failedRequests: string[] = [];

beforeAll(async () => {
  konversa = await konversaForTest();
  origin = new URL(konversa.url).origin;
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: "de-DE",
    isMobile: true,
  });
  page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${error.message}\n${error.stack ?? ""}`));
  page.on("response", (response) => {
    if (response.url().includes("/api/") && response.status() >= 500)
      failedRequests.push(`${response.status()} ${response.url()}`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await konversa?.stop();
}, 60_000);

async function openFromMenu(name: string) {
  await page.getByRole("button", { name: "Navigation öffnen" }).click();
  await page.getByRole("navigation", { name: "Hauptnavigation" }).getByRole("link", { name }).click();
}

describe("KPIs and reports on a phone", () => {
  it("shows the KPIs after updating the rollups", async () => {
    await page.goto(`${origin}/login`);
    await page.getByLabel("E-Mail", { exact: true }).fill(konversa!.email);
    await page.getByLabel("Passwort", { exact: true }).fill(konversa!.password);
    await page.getByRole("button", { name: "Anmelden" }).click();
    await page.waitForURL(/\/inbox/);
    await openFromMenu("Kennzahlen");
    await page.waitForURL(/\/kpis/);
    await page.getByRole("heading", { name: "Kennzahlen", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Jetzt aktualisieren" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: "Kennzahlen aktualisiert" })
      .waitFor({ timeout: 60_000 });
    const conversations = page.getByTestId("kpi-conversations");
    await expect
      .poll(async () => Number((await conversations.textContent())?.replace(/\D/g, "") || 0), {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    await page.getByTestId("kpi-response_rate").waitFor();
    await page.getByRole("img", { name: /^Verlauf/ }).waitFor({ timeout: 20_000 });
    // Nothing wider than the phone's screen but the department table's own scroll area.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: path.join(artifacts, "kpis-phone.png"), fullPage: true });
  });

  it("sets a goal and shows target against actual", async () => {
    await page.getByRole("button", { name: "Ziel speichern" }).click();
    const goal = page.locator("[data-goal=response_rate_within_sla]");
    await goal.waitFor({ timeout: 20_000 });
    expect(await goal.textContent()).toContain("Ziel 65 %");
    await goal.getByRole("img").waitFor();
  });

  it("generates a briefing and opens it as a web page", async () => {
    await openFromMenu("Berichte");
    await page.waitForURL(/\/reports$/);
    await page.getByRole("checkbox", { name: "An die Mitglieder mailen" }).uncheck();
    await page.getByRole("button", { name: "Briefing erstellen" }).click();
    const row = page
      .getByRole("table", { name: "Wochenbriefings" })
      .getByRole("link", { name: "Gesamte Organisation" });
    await row.first().waitFor({ timeout: 30_000 });
    await row.first().click();
    await page.waitForURL(/\/reports\/briefings\//);
    await page.getByRole("heading", { name: "Top-Themen" }).waitFor();
    await page.getByRole("heading", { name: "VIP-Aktivität" }).waitFor();
    expect(await page.getByRole("table", { name: "Kennzahlen" }).textContent()).toContain("Antwortquote");
    await page.screenshot({ path: path.join(artifacts, "briefing-phone.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });
});
