import path from "node:path";
import { type APIRequestContext, type Browser, type Page, request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, konversaForTest, launchChromium, type Running } from "./konversaProcess.js";

/*
 * Two agents work the unified inbox at the same time, each in their own browser: a customer's post
 * arrives through the integration route and shows up in both inboxes without a reload; Anna (the
 * admin) takes it, Ben sees who has it and that she is typing; she answers with a canned response
 * picked with "/", the reply shows as sent; the customer writes again, the resolved conversation
 * opens again, and she resolves it. Screenshots stay in test-results/e2e.
 */
const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(artifacts, `${name}.png`) });

let konversa: Running | undefined;
let browser: Browser | undefined;
let anna: Page;
let ben: Page;
let integration: APIRequestContext;
let origin: string;
let channelId: string;
let conversationId: string;
const pageErrors: string[] = [];
const marker = `RE 7 fällt aus ${Date.now().toString(36)}`;
const benEmail = "ben.agent@konversa.local";
const benPassword = "ben-agent-password-2026";

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${origin}/login`);
  await page.getByLabel("E-Mail", { exact: true }).fill(email);
  await page.getByLabel("Passwort", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await page.waitForURL(/\/inbox/);
}

/** A write with Anna's session, sent the way the app sends it (same origin). */
async function asAnna<T>(url: string, data: unknown): Promise<T> {
  const response = await anna.request.post(`${origin}${url}`, { data, headers: { origin } });
  expect(response.status(), await response.text()).toBeLessThan(300);
  return (await response.json()) as T;
}

/** The customer writes, through an integration with an admin's API token. */
async function customerWrites(text: string, extra: { conversationId?: string } = {}) {
  const response = await integration.post(`/api/v1/channels/${channelId}/incoming`, {
    data: { authorName: "Jana Schulz", text, ...extra },
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as { conversationId: string; reopened: boolean };
}

/** Shortcuts only act outside text fields. */
const blur = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
const list = (page: Page) => page.getByRole("list", { name: "Konversationen" });
const row = (page: Page) => list(page).getByRole("listitem").filter({ hasText: marker });
const messages = (page: Page) => page.getByRole("region", { name: "Nachrichten" }).getByRole("listitem");
const actions = (page: Page) => page.getByRole("toolbar", { name: "Aktionen" });

beforeAll(async () => {
  konversa = await konversaForTest();
  origin = new URL(konversa.url).origin;
  browser = await launchChromium();
  const contexts = await Promise.all(
    [0, 1].map(() => browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: "de-DE" })),
  );
  for (const context of contexts) {
    context.on("page", (opened) => opened.on("pageerror", (error) => pageErrors.push(error.message)));
  }
  anna = await contexts[0]!.newPage();
  ben = await contexts[1]!.newPage();
  await signIn(anna, konversa.email, konversa.password);

  // Ben joins the demo organization as an agent through an invitation link.
  const invitation = await asAnna<{ token: string }>("/api/v1/invitations", {
    email: benEmail,
    role: "agent",
  });
  const accepted = await contexts[1]!.request.post(
    `${origin}/api/v1/invitation-links/${invitation.token}/accept`,
    {
      data: { name: "Ben Berger", password: benPassword },
      headers: { origin },
    },
  );
  expect(accepted.status(), await accepted.text()).toBe(200);
  await signIn(ben, benEmail, benPassword);

  const token = await asAnna<{ token: string }>("/api/v1/api-tokens", { name: "E2E integration" });
  integration = await request.newContext({
    baseURL: origin,
    extraHTTPHeaders: { authorization: `Bearer ${token.token}` },
  });
  const channels = (await (await anna.request.get(`${origin}/api/v1/channels`)).json()) as Array<{
    id: string;
    isPrivate: boolean;
  }>;
  channelId = channels.find((c) => !c.isPrivate)!.id;
  await asAnna("/api/v1/canned-responses", {
    shortcut: "danke",
    title: "Danke für die Geduld",
    body: "Hallo {{contact.first_name | zusammen}}, danke für Ihre Nachricht! Wir kümmern uns darum. Viele Grüße, {{agent.first_name}}",
  });
}, 180_000);

afterAll(async () => {
  await integration?.dispose();
  await browser?.close();
  await konversa?.stop();
}, 60_000);

describe("two agents in the unified inbox", () => {
  it("a customer's post appears in both inboxes without a reload", async () => {
    for (const page of [anna, ben]) {
      // Ben's teams have no conversations yet: his list may start empty. Wait for the live stream.
      const stream = page.waitForResponse((response) => response.url().endsWith("/api/v1/events"));
      await page.goto(`${origin}/inbox?status=open`);
      await page.getByRole("heading", { name: "Posteingang", level: 1 }).waitFor();
      await stream;
    }
    ({ conversationId } = await customerWrites(`${marker}: Wie komme ich heute noch nach Kiel?`));
    await Promise.all([row(anna).waitFor({ timeout: 5_000 }), row(ben).waitFor({ timeout: 5_000 })]);
    // A new post carries its service-level due time.
    expect(await row(anna).locator(".due-badge").textContent()).toMatch(/fällig/);
    await screenshot(ben, "inbox-live-arrival");
  });

  it("Anna takes it; Ben sees it assigned and sees her typing", async () => {
    await row(anna).getByRole("link").click();
    await row(ben).getByRole("link").click();
    await anna.waitForURL(new RegExp(conversationId));
    await actions(anna).waitFor();
    await actions(ben).waitFor();
    // The keyboard: a opens the assignment menu.
    await anna.keyboard.press("a");
    await anna.getByRole("menuitem", { name: "Mir zuweisen" }).click();
    await actions(anna).getByText("Konversa Admin").waitFor();
    await actions(ben).getByText("Konversa Admin").waitFor({ timeout: 5_000 });
    await row(ben).getByText("Konversa Admin").waitFor();
    // Ben has the conversation open too, and Anna sees it.
    await anna.getByText("Ben Berger sieht sich das an").waitFor({ timeout: 15_000 });

    // r focuses the reply; "/" opens the canned responses, filled in on the server.
    await anna.keyboard.press("r");
    const editor = anna.getByRole("textbox", { name: "Antwort" });
    await expect.poll(() => editor.evaluate((el) => el === document.activeElement)).toBe(true);
    await editor.pressSequentially("/dan");
    const canned = anna.getByRole("listbox", { name: "Textbausteine" });
    await canned.getByRole("option", { name: /\/danke/ }).waitFor();
    await ben.getByText("Konversa Admin schreibt …").waitFor({ timeout: 5_000 });
    await screenshot(ben, "inbox-presence-typing");
    await anna.keyboard.press("Enter");
    await expect
      .poll(() => editor.inputValue())
      .toMatch(/^Hallo (Jana|zusammen), danke für Ihre Nachricht!.*Viele Grüße, Konversa$/);
    await screenshot(anna, "inbox-canned-response");
  });

  it("the reply goes out and shows as sent, for both", async () => {
    await anna.getByRole("button", { name: "Senden" }).click();
    const reply = messages(anna).filter({ hasText: "danke für Ihre Nachricht" });
    await reply.getByText("Gesendet").waitFor();
    await messages(ben).filter({ hasText: "danke für Ihre Nachricht" }).waitFor({ timeout: 5_000 });
    // e resolves (the focus is no longer in the editor).
    await blur(anna);
    await anna.keyboard.press("e");
    await anna.getByRole("button", { name: "Wieder öffnen" }).waitFor();
    await row(anna).waitFor({ state: "detached" });
    await screenshot(anna, "inbox-replied-resolved");
  });

  it("the customer answers, the conversation opens again, and Anna resolves it", async () => {
    const answer = await customerWrites("Danke, und gilt mein Ticket dann im Bus?", { conversationId });
    expect(answer.reopened).toBe(true);
    await messages(anna).filter({ hasText: "gilt mein Ticket" }).waitFor({ timeout: 5_000 });
    await messages(ben).filter({ hasText: "gilt mein Ticket" }).waitFor({ timeout: 5_000 });
    await row(anna).waitFor({ timeout: 5_000 });
    await actions(anna).getByRole("button", { name: "Erledigen" }).click();
    await actions(anna).getByRole("button", { name: "Wieder öffnen" }).waitFor();
    await actions(ben).getByRole("button", { name: "Wieder öffnen" }).waitFor({ timeout: 5_000 });
    await row(ben).waitFor({ state: "detached", timeout: 5_000 });
    await screenshot(ben, "inbox-resolved-by-colleague");
  });

  it("Anna's note @mentions Ben: his bell shows it at once, and read stays read after a reload", async () => {
    const members = (await (await anna.request.get(`${origin}/api/v1/members`)).json()) as Array<{
      id: string;
      email: string;
    }>;
    const benMember = members.find((m) => m.email === benEmail)!;
    const bell = (page: Page) => page.getByRole("banner").getByRole("button", { name: /Benachrichtigung/ });
    await bell(ben).waitFor();
    // Demo alerts Ben has not seen yet may count already; the mention adds one.
    const unreadOf = async () =>
      Number(/^(\d+)/.exec((await bell(ben).getAttribute("aria-label")) ?? "")?.[1] ?? 0);
    const before = await unreadOf();
    await asAnna(`/api/v1/conversations/${conversationId}/notes`, {
      body: "@Ben Berger bitte übernimm die Rückfrage zum Busticket",
      mentionedMemberIds: [benMember.id],
    });
    await expect.poll(unreadOf, { timeout: 5_000 }).toBe(before + 1);
    await bell(ben).click();
    await ben
      .getByRole("list", { name: "Benachrichtigungen" })
      .getByRole("listitem")
      .filter({ hasText: "Sie wurden in einer Notiz erwähnt" })
      .waitFor();
    await screenshot(ben, "inbox-notification-bell");
    // Closing the list marks what it showed as seen.
    await bell(ben).click();
    await ben.getByRole("button", { name: "Benachrichtigungen", exact: true }).waitFor({ timeout: 5_000 });
    // The read state is the server's: a reload (or another browser) shows it read too.
    await ben.reload();
    await ben.getByRole("button", { name: "Benachrichtigungen", exact: true }).waitFor({ timeout: 10_000 });
  });

  it("? shows the keyboard shortcuts, and nothing broke in the pages", async () => {
    await blur(anna);
    await anna.keyboard.press("?");
    await anna.getByRole("dialog", { name: "Tastenkürzel" }).waitFor();
    await screenshot(anna, "inbox-shortcuts");
    await anna.keyboard.press("Escape");
    expect(pageErrors).toEqual([]);
  });
});
