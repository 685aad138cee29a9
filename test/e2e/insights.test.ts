import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, konversaForTest, launchChromium, type Running } from "./konversaProcess.js";

/*
 * The core team routes what it hears: Carla (core team) finds a negative mention about the app and
 * forwards it to R&D with a note; Robin (R&D, on his phone) sees the insight and marks it in
 * progress; Carla sees the state in the overview across departments. Screenshots in test-results/e2e.
 */
const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(artifacts, `${name}.png`) });

let konversa: Running | undefined;
let browser: Browser | undefined;
let owner: Page;
let carla: Page;
let robin: Page;
let origin: string;
const pageErrors: string[] = [];
const marker = `app${Date.now().toString(36)}`;
const note = "Dritter Absturz-Bericht heute – bitte prüfen, ob das neue Release schuld ist.";

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${origin}/login`);
  await page.getByLabel("E-Mail", { exact: true }).fill(email);
  await page.getByLabel("Passwort", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await page.waitForURL(/\/inbox/);
}

async function post<T>(page: Page, url: string, data: unknown): Promise<T> {
  const response = await page.request.post(`${origin}${url}`, { data, headers: { origin } });
  expect(response.status(), await response.text()).toBeLessThan(300);
  return (await response.json()) as T;
}

/** A colleague joins through an invitation link and signs in. */
async function colleague(
  context: BrowserContext,
  props: { email: string; name: string; role: string; departmentIds?: string[] },
) {
  const password = "core-team-password-2026";
  const invitation = await post<{ token: string }>(owner, "/api/v1/invitations", {
    email: props.email,
    role: props.role,
    departmentIds: props.departmentIds ?? [],
  });
  const accepted = await context.request.post(
    `${origin}/api/v1/invitation-links/${invitation.token}/accept`,
    {
      data: { name: props.name, password },
      headers: { origin },
    },
  );
  expect(accepted.status(), await accepted.text()).toBe(200);
  const page = await context.newPage();
  await signIn(page, props.email, password);
  return page;
}

beforeAll(async () => {
  konversa = await konversaForTest();
  origin = new URL(konversa.url).origin;
  browser = await launchChromium();
  const desktop = () => browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: "de-DE" });
  const [ownerContext, carlaContext, robinContext] = await Promise.all([
    desktop(),
    desktop(),
    // Robin works from his phone.
    browser.newContext({
      viewport: { width: 390, height: 844 },
      locale: "de-DE",
      isMobile: true,
      hasTouch: true,
    }),
  ]);
  for (const context of [ownerContext, carlaContext, robinContext]) {
    context.on("page", (opened) => opened.on("pageerror", (error) => pageErrors.push(error.message)));
  }
  owner = await ownerContext.newPage();
  await signIn(owner, konversa.email, konversa.password);
  const departments = (await (await owner.request.get(`${origin}/api/v1/departments`)).json()) as Array<{
    id: string;
    key: string;
  }>;
  const rnd = departments.find((d) => d.key === "rnd")!;
  carla = await colleague(carlaContext, {
    email: "carla.core@konversa.local",
    name: "Carla Kern",
    role: "core_team",
  });
  robin = await colleague(robinContext, {
    email: "robin.rnd@konversa.local",
    name: "Robin Entwickler",
    role: "agent",
    departmentIds: [rnd.id],
  });
  // A customer complains about the app on Mastodon.
  const accepted = await post<{ accepted: number }>(owner, "/api/v1/ingest/posts", {
    posts: [
      {
        network: "mastodon",
        externalId: `${marker}-1`,
        text: `Die Nordbahn-App stürzt ständig ab, eine Katastrophe. Miserabel, ich bin stinksauer!!! #${marker}`,
        author: { handle: "pendlerin@social.example", displayName: "Pendlerin" },
        postedAt: new Date().toISOString(),
        languageHint: "de",
      },
    ],
  });
  expect(accepted.accepted).toBe(1);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await konversa?.stop();
}, 60_000);

describe("the core team forwards a mention to R&D", () => {
  it("Carla forwards the negative mention about the app to R&D with a note", async () => {
    await carla.goto(`${origin}/listening/mentions?q=${marker}`);
    const card = carla.locator(".mention-card", { hasText: marker });
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getByText("Negativ", { exact: true }).count()).toBe(1);
    await card.getByRole("button", { name: "An Abteilung weiterleiten" }).click();
    const dialog = carla.getByRole("dialog", { name: "Als Insight weiterleiten" });
    await dialog.getByLabel(/^Abteilung/).click();
    await carla.getByRole("option", { name: "R&D" }).click();
    await dialog.getByRole("textbox", { name: "Notiz für die Abteilung" }).fill(note);
    await dialog.getByRole("button", { name: "Weiterleiten" }).click();
    await dialog.waitFor({ state: "detached" });
    await card.getByRole("button", { name: "An R&D weitergeleitet" }).waitFor();
    await screenshot(carla, "insights-forwarded");
  });

  it("Robin (R&D) sees the insight on his phone and marks it in progress", async () => {
    // His bell tells him; the insights page lists it with the core team's note.
    await robin.goto(`${origin}/insights`);
    const item = robin
      .getByRole("list", { name: "Insights" })
      .getByRole("listitem")
      .filter({ hasText: note });
    await item.waitFor({ timeout: 15_000 });
    expect(await item.getByText("Neu", { exact: true }).count()).toBe(1);
    await item.getByRole("link", { name: "Insight öffnen" }).click();
    await robin.waitForURL(/\/insights\/[0-9a-f-]{36}$/);
    await robin.getByText(marker, { exact: false }).first().waitFor();
    await robin.getByRole("button", { name: "Als In Arbeit markieren" }).click();
    await robin.locator('[data-state="in_progress"]').first().waitFor();
    // The history names who moved it.
    await robin.getByText(/Robin Entwickler ·/).waitFor();
    await screenshot(robin, "insights-in-progress-phone");
  });

  it("Carla sees the state across departments", async () => {
    await carla.goto(`${origin}/insights`);
    const overview = carla.getByRole("table", { name: "Über alle Abteilungen" });
    const row = overview.getByRole("row", { name: /R&D/ });
    await row.waitFor();
    expect(await row.locator('[data-label="in_progress"]').textContent()).toBe("1");
    const item = carla
      .getByRole("list", { name: "Insights" })
      .getByRole("listitem")
      .filter({ hasText: note });
    expect(await item.getByText("In Arbeit", { exact: true }).count()).toBe(1);
    await screenshot(carla, "insights-overview");
  });

  it("Carla writes a routing rule, tests it against past mentions and saves it; moderation and the voice of the customer open", async () => {
    await carla
      .getByRole("navigation", { name: "Hauptnavigation" })
      .getByRole("link", { name: "Routing-Regeln" })
      .click();
    await carla.waitForURL(/\/automation$/);
    await carla.getByRole("button", { name: "Regel hinzufügen" }).click();
    const editor = carla.getByRole("dialog", { name: "Regel hinzufügen" });
    await editor.getByRole("textbox", { name: /^Name/ }).fill("Negatives an R&D");
    await editor.getByLabel("Bedingung hinzufügen").click();
    await carla.getByRole("option", { name: "Stimmung" }).click();
    await editor.getByLabel("Aktion hinzufügen").click();
    await carla.getByRole("option", { name: "Priorität setzen" }).click();
    await editor.getByRole("button", { name: "An vergangenen Erwähnungen testen" }).click();
    const result = editor.getByTestId("dry-run-result");
    await result.waitFor();
    expect(await result.textContent()).toMatch(/^[1-9]\d* der letzten \d+ Erwähnungen hätten gepasst\.$/);
    await screenshot(carla, "automation-dry-run");
    await editor.getByRole("button", { name: "Regel speichern" }).click();
    await editor.waitFor({ state: "detached" });
    await carla.getByRole("list", { name: "Regeln" }).getByText("Negatives an R&D").waitFor();
    await carla.goto(`${origin}/moderation`);
    await carla.getByRole("heading", { name: "Moderation", level: 1 }).waitFor();
    await carla.goto(`${origin}/voice`);
    await carla.getByRole("heading", { name: "Stimme der Kund:innen", level: 1 }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
