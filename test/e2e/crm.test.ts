import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, konversaForTest, launchChromium, type Running } from "./konversaProcess.js";

/*
 * Settings → CRM exchange and Settings → Retention on a phone, in German, as the demo administrator:
 * a CSV file is uploaded, its columns mapped, the import runs with progress and a report of the
 * lines it did not take; then a retention run is started by hand and its report shown.
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
    isMobile: true,
    hasTouch: true,
    locale: "de-DE",
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

describe("CRM exchange and retention in the browser (phone)", () => {
  it("imports a CSV file with a mapping, shows progress and the rejected lines", async () => {
    await page.goto(`${origin}/login`);
    await page.getByLabel("E-Mail", { exact: true }).fill(konversa!.email);
    await page.getByLabel("Passwort", { exact: true }).fill(konversa!.password);
    await page.getByRole("button", { name: "Anmelden" }).click();
    await page.waitForURL(/\/inbox/);
    await page.goto(`${origin}/settings/crm`);
    await page.getByRole("heading", { name: "CRM-Austausch" }).waitFor();

    const file = path.join(artifacts, "kontakte.csv");
    writeFileSync(
      file,
      "Name;E-Mail;Kundennummer\r\nErika Beispiel;erika.e2e@example.org;K-100\r\nOhne Adresse;kaputt-at-example.org;K-101\r\n;leer@example.org;K-102\r\n",
    );
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByRole("button", { name: "Hochladen und ansehen" }).click();
    await page.getByText("Erste Zeilen").waitFor();
    await page.getByRole("cell", { name: "erika.e2e@example.org" }).waitFor();
    // The suggestion maps name and e-mail; the customer number becomes an attribute by hand.
    expect(await page.getByLabel("E-Mail", { exact: true }).first().inputValue()).toBe("E-Mail");
    await page.getByLabel("Kundennummer", { exact: true }).first().click();
    await page.getByRole("option", { name: "Attribut: Kundennummer" }).click();
    await page.getByRole("button", { name: "Import starten" }).click();
    await page.getByText("abgeschlossen").first().waitFor({ timeout: 30_000 });
    await page.getByText("Nicht übernommene Zeilen").waitFor();
    await page.getByRole("cell", { name: "E-Mail-Adresse ungültig" }).waitFor();
    await page.getByRole("cell", { name: "Name fehlt" }).waitFor();
    await page.screenshot({ path: path.join(artifacts, "crm-import-phone.png"), fullPage: true });
    // Nothing overflows the phone's width.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
  });

  it("changes a retention period and shows the report of a run started by hand", async () => {
    await page.goto(`${origin}/settings/retention`);
    await page.getByRole("heading", { name: "Aufbewahrung" }).waitFor();
    const field = page.getByRole("textbox", { name: "Benachrichtigungen: Aufbewahren (Tage)" });
    await field.fill("30");
    await page.getByRole("button", { name: "Fristen speichern" }).click();
    await page.getByText("Gespeichert.").waitFor();
    await page.getByRole("button", { name: "Jetzt ausführen" }).click();
    await page.getByText("von Hand").waitFor();
    await page.screenshot({ path: path.join(artifacts, "retention-phone.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });
});
