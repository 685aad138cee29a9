import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeAccount, startFakeMastodon } from "../support/fakeMastodon.js";
import { artifacts, konversaForTest, launchChromium, type Running } from "./konversaProcess.js";

/*
 * Settings → Channels in a real browser against a local Mastodon stand-in (test/support/fakeMastodon.ts):
 * the admin allows the local instance's private address, sees the network's refusal inline in the
 * connect form, connects the account, and sees it healthy with its last poll and rate limit. Then the
 * instance stops accepting the token: after the next poll the account shows as failing with the
 * instance's words, the poller backs off instead of looping, and a reply sent meanwhile shows
 * "failed" with the reason and a resend action; renewing the credentials and resending deliver it.
 * Finally, HTML and script inside posts and an e-mail-like message stay text in the inbox and the
 * mentions list. Screenshots stay in test-results/e2e.
 */
const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

const firstToken = "e2e-mastodon-token-1";
const secondToken = "e2e-mastodon-token-2";
const marker = `M${Date.now().toString(36)}`;
const peerError = "mastodon answered 401: The access token is invalid";
const accountName = `Mastodon Support ${marker}`;

let konversa: Running | undefined;
let browser: Browser | undefined;
let page: Page;
let origin: string;
let fake: Awaited<ReturnType<typeof startFakeMastodon>>;
const pageErrors: string[] = [];

const card = () => page.getByRole("listitem", { name: accountName });
const health = (state: string) => card().locator(`[data-health="${state}"]`);
const messages = () => page.getByRole("region", { name: "Nachrichten" }).getByRole("listitem");

/** Requests Konversa made to the instance since `from` (the poller's and the checks'). */
const requestsSince = (from: number) => fake.received.slice(from).length;

async function openConversationWith(text: string) {
  await page.goto(`${origin}/inbox?status=all`);
  const row = page
    .getByRole("list", { name: "Konversationen" })
    .getByRole("listitem")
    .filter({ hasText: text });
  await row.first().waitFor({ timeout: 15_000 });
  await row.first().getByRole("link").click();
  await page.getByRole("region", { name: "Nachrichten" }).waitFor();
}

async function noInjectedMarkup() {
  expect(await page.locator('img[src="x"], .message-body script, .mention-text script').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
}

beforeAll(async () => {
  fake = await startFakeMastodon({ token: firstToken });
  konversa = await konversaForTest();
  origin = new URL(konversa.url).origin;
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "de-DE" });
  page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`${origin}/login`);
  await page.getByLabel("E-Mail", { exact: true }).fill(konversa.email);
  await page.getByLabel("Passwort", { exact: true }).fill(konversa.password);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await page.waitForURL(/\/inbox/);

  // Waiting at the instance before the account is connected: a mention with markup in it, and a
  // hashtag post that the demo's "Nordbahn" query picks up as a mention.
  fake.mention({
    // Status URIs carry the author's name: unique per run, so a reused instance does not deduplicate them.
    from: fakeAccount(`ana${marker.toLowerCase()}`),
    content: `<p>@nordbahn Zug fällt aus <img src="x" onerror="window.__xss=1"><script>window.__xss=2</script> ${marker}</p>`,
  });
  fake.tagged("nordbahn", {
    from: fakeAccount(`ben${marker.toLowerCase()}`),
    content: `<p>#Nordbahn <b>pünktlich</b><img src="x" onerror="window.__xss=3"> ${marker}-tag</p>`,
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await konversa?.stop();
  await fake?.close();
}, 60_000);

describe("Settings → Channels", () => {
  it("the admin allows the local instance's host and connects the account through the form; the instance's refusal shows inline", async () => {
    await page.getByRole("link", { name: "Einstellungen" }).first().click();
    await page.getByRole("tab", { name: "Kanäle" }).click();
    await page.waitForURL(/\/settings\/channels/);
    await page.getByRole("heading", { name: "Kanäle", level: 2 }).waitFor();

    // The instance runs on 127.0.0.1: private, refused until allowed.
    await page.getByRole("textbox", { name: /^Hostname oder Adresse/ }).fill("127.0.0.1");
    await page.getByRole("button", { name: "Erlauben" }).click();
    await page.getByRole("list", { name: "Erlaubte private Hosts" }).getByText("127.0.0.1").waitFor();

    await page.getByRole("button", { name: "Konto verbinden" }).click();
    const dialog = page.getByRole("dialog", { name: "Konto verbinden" });
    await dialog.getByRole("combobox", { name: /^Netzwerk/ }).click();
    await dialog.getByRole("option", { name: "Mastodon" }).click();
    // The fields come from the server's description of the connector.
    await dialog.getByRole("textbox", { name: /^Name im Posteingang/ }).fill(accountName);
    await dialog.getByRole("textbox", { name: /^Instanz-URL/ }).fill(fake.origin);
    const hashtags = dialog.getByRole("combobox", { name: /^Hashtags zum Mithören/ });
    await hashtags.fill("nordbahn");
    await hashtags.press("Enter");
    await dialog.getByLabel(/^Zugriffstoken/).fill("a-wrong-token");
    await dialog.getByRole("button", { name: "Prüfen" }).click();
    await dialog.getByRole("alert").getByText(peerError, { exact: false }).waitFor();
    await screenshot(page, "channels-connect-refused");

    await dialog.getByLabel(/^Zugriffstoken/).fill(firstToken);
    await dialog.getByRole("button", { name: "Prüfen" }).click();
    await dialog.getByRole("status").getByText("@nordbahn@127.0.0.1", { exact: false }).waitFor();
    await dialog.getByRole("button", { name: "Verbinden" }).click();
    await dialog.waitFor({ state: "detached" });

    await health("healthy").waitFor();
    // The connector loop polls it right away: the last poll and the instance's rate limit show.
    await card()
      .getByText(/Letzter Abruf: (?!nie)/)
      .waitFor({ timeout: 20_000 });
    await card()
      .getByTestId("rate-limit")
      .getByText(/von 300 Anfragen übrig/)
      .waitFor({ timeout: 10_000 });
    expect(await card().textContent()).not.toContain(firstToken);
    await screenshot(page, "channels-healthy");
  });

  it("on a phone the page fits the screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await health("healthy").waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await card().getByRole("button", { name: "Jetzt prüfen" }).waitFor();
    await screenshot(page, "channels-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("when the instance refuses the token, the next poll marks the account failing with its message, and the poller backs off", async () => {
    fake.acceptToken(secondToken);
    // Resuming polls at once (instead of waiting out the 60-second interval).
    await card().getByRole("button", { name: "Pausieren" }).click();
    await health("paused").waitFor();
    await card().getByRole("button", { name: "Fortsetzen" }).click();
    await health("failing").waitFor({ timeout: 20_000 });
    await card().getByText(peerError).waitFor();
    await card()
      .getByText(/1 fehlgeschlagener Abruf in Folge/)
      .waitFor();
    await screenshot(page, "channels-failing");

    // No crash loop: the connector loop runs every 2 s, but the account is not polled again
    // before its backoff has passed.
    const from = fake.received.length;
    await page.waitForTimeout(8_000);
    expect(requestsSince(from)).toBe(0);
    const accounts = (await (
      await page.request.get(`${origin}/api/v1/settings/channel-accounts`)
    ).json()) as Array<{
      name: string;
      failureCount: number;
      nextPollAt: string;
    }>;
    const account = accounts.find((a) => a.name === accountName)!;
    expect(account.failureCount).toBe(1);
    expect(new Date(account.nextPollAt).getTime()).toBeGreaterThan(Date.now() + 30_000);
  });

  it("a reply sent meanwhile shows failed with the instance's reason; after renewing the token, resend delivers it", async () => {
    await openConversationWith(marker);
    const editor = page.getByRole("textbox", { name: "Antwort" });
    await editor.fill(`Wir kümmern uns ${marker}-reply`);
    await page.getByRole("button", { name: "Senden" }).click();
    const reply = messages().filter({ hasText: `${marker}-reply` });
    await reply.getByText("Fehlgeschlagen", { exact: true }).waitFor({ timeout: 20_000 });
    await reply.getByText(`Nicht gesendet: ${peerError}`).waitFor();
    await screenshot(page, "inbox-reply-failed");

    await page.goto(`${origin}/settings/channels`);
    await card().getByRole("button", { name: "Zugangsdaten erneuern" }).click();
    const dialog = page.getByRole("dialog", { name: /Neue Zugangsdaten/ });
    await dialog.getByLabel(/^Zugriffstoken/).fill(secondToken);
    await dialog.getByRole("button", { name: "Speichern" }).click();
    await dialog.waitFor({ state: "detached" });
    await health("healthy").waitFor();

    const posted = fake.posted.length;
    await openConversationWith(marker);
    await messages()
      .filter({ hasText: `${marker}-reply` })
      .getByRole("button", { name: "Erneut senden" })
      .click();
    await messages()
      .filter({ hasText: `${marker}-reply` })
      .getByText("Gesendet", { exact: true })
      .waitFor({ timeout: 20_000 });
    expect(
      await messages()
        .filter({ hasText: `${marker}-reply` })
        .getByText(/Nicht gesendet/)
        .count(),
    ).toBe(0);
    expect(fake.posted.length).toBe(posted + 1);
    expect(String(fake.posted.at(-1)!.body.status)).toContain(`${marker}-reply`);
  });
});

describe("markup from outside is shown as text", () => {
  it("in the inbox: a post's tags are gone and an e-mail-like HTML message shows literally, nothing runs", async () => {
    await openConversationWith(marker);
    const incoming = messages().filter({ hasText: "Zug fällt aus" });
    await incoming.first().waitFor();
    expect(await incoming.first().locator(".message-body").textContent()).toContain(
      `Zug fällt aus ${marker}`,
    );
    await noInjectedMarkup();

    // An e-mail as a mail client would hand it over, HTML and all, through the integration route.
    const channels = (await (await page.request.get(`${origin}/api/v1/channels`)).json()) as Array<{
      id: string;
      isPrivate: boolean;
    }>;
    const privateChannel = channels.find((c) => c.isPrivate) ?? channels[0]!;
    const html = `<html><body><p>Hallo ${marker}-mail,</p><img src="x" onerror="window.__xss=4"><script>window.__xss=5</script><iframe src="javascript:window.__xss=6"></iframe></body></html>`;
    const sent = await page.request.post(`${origin}/api/v1/channels/${privateChannel.id}/incoming`, {
      data: { authorName: "Kim <b>Berger</b>", text: html },
      headers: { origin },
    });
    expect(sent.status(), await sent.text()).toBe(201);
    await openConversationWith(`${marker}-mail`);
    const body = messages()
      .filter({ hasText: `${marker}-mail` })
      .first()
      .locator(".message-body");
    expect(await body.textContent()).toBe(html);
    expect(await page.locator(".messages iframe").count()).toBe(0);
    await noInjectedMarkup();
    await screenshot(page, "inbox-html-as-text");
  });

  it("in the mentions list: a hashtag post and an ingested post with markup stay text", async () => {
    const raw = `Nordbahn <img src="x" onerror="window.__xss=7"><script>window.__xss=8</script> ${marker}-raw`;
    const accepted = await page.request.post(`${origin}/api/v1/ingest/posts`, {
      data: {
        posts: [
          {
            network: "mastodon",
            externalId: `${marker}-raw`,
            text: raw,
            author: { handle: "kim@social.example", displayName: "Kim <i>B</i>" },
            postedAt: new Date().toISOString(),
            languageHint: "de",
          },
        ],
      },
      headers: { origin },
    });
    expect(accepted.status(), await accepted.text()).toBeLessThan(300);
    // The demo keeps streaming posts: search for ours.
    const list = page.getByRole("list", { name: "Erwähnungen" });
    for (const suffix of ["tag", "raw"]) {
      await page.goto(`${origin}/listening/mentions?q=${encodeURIComponent(`${marker}-${suffix}`)}`);
      await list.getByText(`${marker}-${suffix}`, { exact: false }).waitFor({ timeout: 20_000 });
    }
    const rawCard = list.locator(".mention-text", { hasText: `${marker}-raw` });
    expect(await rawCard.textContent()).toBe(raw);
    await noInjectedMarkup();
    await page.goto(`${origin}/listening/mentions?q=${encodeURIComponent(`${marker}-tag`)}`);
    const tagCard = list.locator(".mention-text", { hasText: `${marker}-tag` });
    expect(await tagCard.textContent()).toBe(`#Nordbahn pünktlich ${marker}-tag`);
    await noInjectedMarkup();
    await screenshot(page, "mentions-html-as-text");
    expect(pageErrors).toEqual([]);
  });
});
