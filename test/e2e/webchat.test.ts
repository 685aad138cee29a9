import { createServer, type Server } from "node:http";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, konversaForTest, launchChromium, type Running } from "./konversaProcess.js";

/*
 * The web chat on a company's website: a page on another origin (a second local HTTP server)
 * embeds the widget with the snippet from the settings; Kim fills in the pre-chat form with
 * consent and writes; Anna, signed in to the inbox in another browser, sees the conversation live,
 * types (Kim sees it) and answers (Kim sees it without a reload). A page on an origin the channel
 * does not allow gets no widget. Kim's browser is phone-sized. Screenshots stay in test-results/e2e.
 */
const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(artifacts, `${name}.png`) });

let konversa: Running | undefined;
let browser: Browser | undefined;
let anna: Page;
let kim: Page;
let origin: string;
let siteOrigin: string;
let foreignOrigin: string;
let snippet: string;
const servers: Server[] = [];
const pageErrors: string[] = [];
const marker = `Fahrrad ${Date.now().toString(36)}`;
const privacyText =
  "Ich bin einverstanden, dass die Nordbahn meinen Namen und meine E-Mail-Adresse für diesen Chat speichert (Datenschutzerklärung).";

/** A company website: one page that embeds the chat with the snippet, on its own origin. */
async function startWebsite(host: string): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(
      `<!doctype html><html lang="de"><head><title>Nordbahn</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>* { font-family: serif !important; color: red !important; } button { display: none !important; }</style>
</head><body><h1>Nordbahn – Service</h1>${snippet}</body></html>`,
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  return `http://${host}:${port}`;
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${origin}/login`);
  await page.getByLabel("E-Mail", { exact: true }).fill(email);
  await page.getByLabel("Passwort", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await page.waitForURL(/\/inbox/);
}

async function asAnna<T>(method: "post" | "put" | "get", url: string, data?: unknown): Promise<T> {
  const response = await anna.request[method](`${origin}${url}`, { data, headers: { origin } });
  expect(response.status(), await response.text()).toBeLessThan(300);
  return (await response.json()) as T;
}

const chatLines = (page: Page) => page.getByRole("list", { name: "Nachrichten" }).getByRole("listitem");

beforeAll(async () => {
  konversa = await konversaForTest();
  origin = new URL(konversa.url).origin;
  // The website runs on the other name of this machine: a different origin from Konversa's.
  const otherHost = new URL(origin).hostname === "localhost" ? "127.0.0.1" : "localhost";
  browser = await launchChromium();
  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "de-DE" });
  const visitorContext = await browser.newContext({
    viewport: { width: 390, height: 800 },
    locale: "de-DE",
    isMobile: true,
    hasTouch: true,
  });
  for (const context of [agentContext, visitorContext]) {
    context.on("page", (opened) => opened.on("pageerror", (error) => pageErrors.push(error.message)));
  }
  anna = await agentContext.newPage();
  kim = await visitorContext.newPage();
  await signIn(anna, konversa.email, konversa.password);

  snippet = "";
  siteOrigin = await startWebsite(otherHost);
  foreignOrigin = await startWebsite(otherHost);
  const account = await asAnna<{ channelId: string }>("post", "/api/v1/settings/channel-accounts", {
    network: "webchat",
    name: "Website-Chat",
    settings: { allowedOrigins: [siteOrigin], privacyText, greeting: "Moin! Wie können wir helfen?" },
  });
  const settings = await asAnna<{ snippet: string }>("get", `/api/v1/settings/webchat/${account.channelId}`);
  snippet = settings.snippet.replace(new URL(settings.snippet.match(/src="([^"]+)"/)![1]!).origin, origin);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.close();
  await konversa?.stop();
}, 60_000);

describe("the web chat on the company's website", () => {
  it("Kim starts a chat with consent and writes; Anna sees it in the inbox without a reload", async () => {
    // Anna's inbox is open: somebody is online.
    const stream = anna.waitForResponse((response) => response.url().endsWith("/api/v1/events"));
    await anna.goto(`${origin}/inbox?status=open`);
    await anna.getByRole("heading", { name: "Posteingang", level: 1 }).waitFor();
    await stream;

    await kim.goto(siteOrigin);
    // The website's CSS hides every button and paints text red; the widget is out of its reach.
    await kim.getByRole("button", { name: "Chat öffnen" }).click();
    const chat = kim.getByRole("dialog", { name: "Chat" });
    await chat.getByText("Moin! Wie können wir helfen?").waitFor();
    await chat.getByText(privacyText).waitFor();
    await expect
      .poll(() =>
        chat.getByRole("button", { name: "Chat starten" }).evaluate((b) => getComputedStyle(b).display),
      )
      .not.toBe("none");
    await chat.getByLabel("Name", { exact: true }).fill("Kim Berger");
    await chat.getByLabel("E-Mail", { exact: true }).fill("kim@example.test");
    await chat.getByRole("button", { name: "Chat starten" }).click();
    await chat.getByText("Bitte stimmen Sie zu").waitFor();
    await chat.getByRole("checkbox").check();
    await screenshot(kim, "webchat-prechat-form");
    await chat.getByRole("button", { name: "Chat starten" }).click();
    const composer = chat.getByRole("textbox", { name: "Nachricht schreiben …" });
    await composer.fill(`${marker}: Darf ich mein <b>Fahrrad</b> mitnehmen? <script>alert(1)</script>`);
    await composer.press("Enter");
    await chatLines(kim).filter({ hasText: marker }).waitFor();

    const row = anna
      .getByRole("list", { name: "Konversationen" })
      .getByRole("listitem")
      .filter({ hasText: marker });
    await row.waitFor({ timeout: 10_000 });
    await row.getByRole("link").click();
    await anna
      .getByRole("region", { name: "Nachrichten" })
      .getByText("<script>alert(1)</script>", { exact: false })
      .waitFor();
  });

  it("each sees the other typing, and Anna's answer reaches Kim live", async () => {
    await chatLines(kim).first().waitFor();
    await kim
      .getByRole("textbox", { name: "Nachricht schreiben …" })
      .pressSequentially("Und ", { delay: 50 });
    await anna.getByText("Kim Berger schreibt …").waitFor({ timeout: 10_000 });

    const editor = anna.getByRole("textbox", { name: "Antwort" });
    await editor.click();
    await editor.pressSequentially("Ja, in allen Regionalzügen", { delay: 20 });
    await kim.getByText(/schreibt …$/).waitFor({ timeout: 10_000 });
    await screenshot(kim, "webchat-agent-typing");
    await editor.pressSequentially(" – kostenlos.");
    await anna.getByRole("button", { name: "Senden" }).click();
    await chatLines(kim)
      .filter({ hasText: "Ja, in allen Regionalzügen – kostenlos." })
      .waitFor({ timeout: 15_000 });
    await screenshot(kim, "webchat-answer-live");
    await anna
      .getByRole("region", { name: "Nachrichten" })
      .getByText("Gesendet")
      .waitFor({ timeout: 10_000 });
  });

  it("after a reload Kim's chat comes back with its history", async () => {
    await kim.reload();
    await chatLines(kim).filter({ hasText: "Ja, in allen Regionalzügen" }).waitFor({ timeout: 10_000 });
    await chatLines(kim).filter({ hasText: marker }).waitFor();
  });

  it("a website the channel does not allow gets no working widget", async () => {
    const outcomes: string[] = [];
    // A browser of its own: nothing of the allowed site's visit is cached.
    const context = await browser!.newContext({ locale: "de-DE" });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("response", (response) => {
      if (response.url().includes("/widget/")) outcomes.push(String(response.status()));
    });
    // Chromium's opaque-response blocking may stop the 403 (a JSON error) before it counts as a response.
    page.on("requestfailed", (request) => {
      if (request.url().includes("/widget/")) outcomes.push(request.failure()?.errorText ?? "failed");
    });
    await page.goto(foreignOrigin);
    await expect.poll(() => outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatch(/^403$|ERR_/);
    await page.waitForTimeout(500);
    expect(await page.locator("[id^=konversa-chat-]").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Chat öffnen" }).count()).toBe(0);
    // Nor can it open the socket itself.
    const socket = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve("open");
          ws.onerror = () => resolve("refused");
        }),
      `${origin.replace("http", "ws")}/api/v1/webchat/${snippet.match(/widget\/([0-9a-f-]{36})\.js/)![1]}/socket`,
    );
    expect(socket).toBe("refused");
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
