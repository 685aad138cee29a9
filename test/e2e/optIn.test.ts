import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, konversaForTest, launchChromium, type Running } from "./konversaProcess.js";

/*
 * The opt-in link flow, as an agent and a customer live it: the agent opens a contact, finds the
 * customer's social account among the candidates and creates a personal opt-in link; the customer
 * opens it on a phone (no sign-in), sees the account, enters the customer number (a wrong one
 * first), reads the purpose, ticks consent and confirms. The link then refuses a second use, the
 * agent sees link and consent in the timeline, and a link that expired — also while the customer
 * was filling it in — says so. Screenshots stay in test-results/e2e.
 */
const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(artifacts, `${name}.png`) });

let konversa: Running | undefined;
let browser: Browser | undefined;
let agent: Page;
let phone: BrowserContext;
let origin: string;
let contactId: string;
const pageErrors: string[] = [];
const suffix = Date.now().toString(36);
const handle = `olga.optimus.${suffix}@norden.social`;
const secondHandle = `olga.zweit.${suffix}@norden.social`;
const customerNumber = "KN-2026-0077";

async function asAgent<T>(method: "GET" | "POST" | "PUT", url: string, data?: unknown): Promise<T> {
  const response = await agent.request.fetch(`${origin}${url}`, { method, data, headers: { origin } });
  expect(response.status(), await response.text()).toBeLessThan(300);
  return (await response.json()) as T;
}

async function phonePage(): Promise<Page> {
  const page = await phone.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  return page;
}

/** Nothing is wider than the phone's screen. */
async function fitsThePhone(page: Page) {
  const widths = await page.evaluate(() => ({
    content: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  }));
  expect(widths.content).toBeLessThanOrEqual(widths.viewport);
}

beforeAll(async () => {
  konversa = await konversaForTest();
  origin = new URL(konversa.url).origin;
  browser = await launchChromium();
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "de-DE" });
  agent = await desk.newPage();
  agent.on("pageerror", (error) => pageErrors.push(error.message));
  phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: "de-DE",
  });
  await agent.goto(`${origin}/login`);
  await agent.getByLabel("E-Mail", { exact: true }).fill(konversa.email);
  await agent.getByLabel("Passwort", { exact: true }).fill(konversa.password);
  await agent.getByRole("button", { name: "Anmelden" }).click();
  await agent.waitForURL(/\/inbox/);

  // Social data may be linked with consent; the customer's posts arrive through the ingest API.
  await asAgent("PUT", "/api/v1/privacy/data-use-mode", { mode: "linked" });
  const contact = await asAgent<{ id: string }>("POST", "/api/v1/contacts", {
    displayName: "Olga Optimus",
    attributes: { customer_number: customerNumber },
  });
  contactId = contact.id;
  await asAgent("POST", "/api/v1/ingest/posts", {
    posts: [handle, secondHandle].map((h, i) => ({
      network: "mastodon",
      externalId: `optin-${suffix}-${i}`,
      text: "Die Nordbahn war heute wieder pünktlich, danke!",
      author: { handle: h, displayName: "Olga Optimus" },
      postedAt: new Date().toISOString(),
      languageHint: "de",
    })),
  });
  // The pipeline stores the authors in the background.
  for (let i = 0; i < 60; i += 1) {
    const found = await asAgent<{ candidates: Array<{ identity: { handle: string } }> }>(
      "GET",
      `/api/v1/contacts/${contactId}/identity-candidates`,
    );
    if (found.candidates.length >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await konversa?.stop();
});

describe("opt-in link flow on a phone", () => {
  it("the agent creates a personal link from a candidate; the customer confirms on the phone once", async () => {
    await agent.goto(`${origin}/contacts/${contactId}`);
    const candidates = agent.getByRole("list", { name: "Mögliche Identitäten" });
    const card = candidates.getByRole("listitem").filter({ hasText: handle });
    await card.waitFor();
    await card.getByRole("button", { name: "Opt-in-Link" }).click();
    const url = (await card.getByTestId("opt-in-url").textContent())!.trim();
    expect(url).toMatch(/\/opt-in\/kvo_/);
    await screenshot(agent, "opt-in-agent");

    const page = await phonePage();
    await page.goto(url.replace(/^https?:\/\/[^/]+/, origin));
    await page.getByRole("heading", { name: "Konto verknüpfen" }).waitFor();
    await expect.poll(() => page.getByText(handle).count()).toBeGreaterThan(0);
    expect(await page.getByTestId("opt-in-wording").textContent()).toMatch(/verknüpft/);
    await fitsThePhone(page);
    await screenshot(page, "opt-in-phone-form");

    const submit = page.getByRole("button", { name: "Bestätigen und verknüpfen" });
    await page.getByRole("textbox", { name: "Kundennummer" }).fill("KN-0000-0000");
    await page.getByLabel("Ich willige in den obigen Text ein.").check();
    await submit.tap();
    await page.getByRole("alert").filter({ hasText: "Diese Kundennummer passt nicht." }).waitFor();
    await page.getByRole("textbox", { name: "Kundennummer" }).fill("kn 2026 0077");
    await submit.tap();
    await page.getByText("Vielen Dank! Ihr Konto ist jetzt verknüpft.").waitFor();
    await screenshot(page, "opt-in-phone-done");

    // The same link again: spent.
    await page.reload();
    await page.getByText("Dieser Link wurde bereits verwendet.").waitFor();
    expect(await page.getByRole("textbox", { name: "Kundennummer" }).count()).toBe(0);
    await fitsThePhone(page);
    await screenshot(page, "opt-in-phone-used");

    // The agent sees the link and the consent in the customer's timeline.
    await agent.reload();
    const timeline = agent.getByRole("list", { name: "Zeitleiste" });
    await timeline.getByText(`Identität mastodon ${handle}: confirmed (opt_in_link)`).waitFor();
    await timeline.getByText("Einwilligung service: given (opt_in_link)").waitFor();
    const identities = agent.getByRole("region", { name: /Social-Media-Identitäten/ });
    await identities.getByText(handle).waitFor();
  });

  it("an expired link says so, also when it expires while the customer fills it in", async () => {
    const identityId = (
      await asAgent<{ candidates: Array<{ identityId: string; identity: { handle: string } }> }>(
        "GET",
        `/api/v1/contacts/${contactId}/identity-candidates`,
      )
    ).candidates.find((c) => c.identity.handle === secondHandle)!.identityId;
    const link = await asAgent<{ url: string }>("POST", `/api/v1/contacts/${contactId}/opt-in-links`, {
      identityId,
      locale: "de",
      expiresInSeconds: 5,
    });
    const url = link.url.replace(/^https?:\/\/[^/]+/, origin);
    const filling = await phonePage();
    await filling.goto(url);
    await filling.getByRole("heading", { name: "Konto verknüpfen" }).waitFor();
    await filling.getByRole("textbox", { name: "Kundennummer" }).fill(customerNumber);
    await filling.getByLabel("Ich willige in den obigen Text ein.").check();
    await new Promise((resolve) => setTimeout(resolve, 5500));
    const answer = filling.waitForResponse(
      (r) => r.url().includes("/api/v1/opt-in/") && r.request().method() === "POST",
    );
    await filling.getByRole("button", { name: "Bestätigen und verknüpfen" }).tap();
    expect((await answer).status()).toBe(409);
    await screenshot(filling, "opt-in-phone-expired-answer");
    await filling.getByText("Dieser Link ist abgelaufen.").waitFor();
    await screenshot(filling, "opt-in-phone-expired-while-filling");

    const later = await phonePage();
    await later.goto(url);
    await later.getByText("Dieser Link ist abgelaufen.").waitFor();
    await later.getByText("Bitte fordern Sie bei uns einen neuen Link an.").waitFor();
    expect(await later.getByText(secondHandle).count()).toBe(0);
    await fitsThePhone(later);
    await screenshot(later, "opt-in-phone-expired");

    // The organization's queue: automatic linking is off until an admin sets a certainty.
    await agent.goto(`${origin}/contacts`);
    await agent.getByRole("link", { name: "Identitätsabgleich" }).click();
    await agent.getByRole("heading", { name: "Identitätsabgleich" }).waitFor();
    await agent.getByRole("button", { name: "Jetzt automatisch verknüpfen" }).click();
    await agent.getByText("Verknüpft: 0").waitFor();
    await screenshot(agent, "identity-queue");
    expect(pageErrors).toEqual([]);
  });
});
