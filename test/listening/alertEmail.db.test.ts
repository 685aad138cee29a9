import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { startSmtpReceiver } from "../support/smtpReceiver.js";
import { waitFor } from "../support/webhookReceiver.js";
import { samplePost } from "./scenario.js";

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let owner: Awaited<ReturnType<typeof createPerson>>;

beforeAll(async () => {
  smtp = await startSmtpReceiver({ username: "alerts@nordbahn.example", password: "smtp-secret-42" });
  t = await createTestApp({ withPipeline: true });
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Alerts by Mail" });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const api = (method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
  t.app.inject({ method, url, headers: owner.headers, payload });

describe(`alert delivery by e-mail (${testBackend})`, () => {
  it("a keyword alert reaches the organization's SMTP server, signed in with the stored password", async () => {
    const settings = await api("PUT", "/api/v1/settings/smtp", {
      host: "127.0.0.1",
      port: smtp.port,
      secure: false,
      username: "alerts@nordbahn.example",
      password: "smtp-secret-42",
      fromAddress: "Konversa <alerts@nordbahn.example>",
    });
    expect(settings.statusCode).toBe(200);
    const shown = await api("GET", "/api/v1/settings/smtp");
    expect(shown.json()).toMatchObject({ passwordSet: true });
    expect(JSON.stringify(shown.json())).not.toContain("smtp-secret-42");

    const query = await api("POST", "/api/v1/listening/queries", {
      name: "Nordbahn",
      kind: "brand",
      expression: "nordbahn",
    });
    expect(query.statusCode).toBe(201);
    const rule = await api("POST", "/api/v1/alerts/rules", {
      name: "Rückruf erwähnt",
      type: "keyword",
      queryId: query.json().id,
      config: { keywords: ["Rückruf"] },
      emails: ["leitstelle@nordbahn.example"],
    });
    expect(rule.statusCode).toBe(201);

    const ingested = await api("POST", "/api/v1/ingest/posts", {
      posts: [
        samplePost("Nordbahn: gibt es einen Rückruf für die defekten Türen?", { languageHint: "de" }),
        samplePost("Nordbahn fährt heute pünktlich", { languageHint: "de" }),
      ],
    });
    expect(ingested.statusCode).toBe(202);

    const mail = await waitFor(() => smtp.received[0], "the alert e-mail", 30_000);
    expect(mail.to).toEqual(["leitstelle@nordbahn.example"]);
    expect(mail.from).toBe("alerts@nordbahn.example");
    expect(mail.data).toMatch(/^Subject: .*Konversa/m);
    // Quoted-printable body: undo the soft line breaks before looking for the link to the alert.
    expect(mail.data.replace(/=\r?\n/g, "")).toMatch(/\/listening\/alerts\/[0-9a-f-]{36}/);
    const alerts = (await api("GET", "/api/v1/alerts")).json();
    expect(alerts.alerts ?? alerts).toHaveLength(1);
  });
});
