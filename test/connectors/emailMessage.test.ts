import { describe, expect, it } from "vitest";
import { emailSettingsSchema } from "../../src/connectors/email/emailAccount.js";
import { addressOf, messageIds, parseEmail, replySubject } from "../../src/connectors/email/emailMessage.js";
import { composeEmail, messageIdFor } from "../../src/connectors/email/emailOutbound.js";

const receivedAt = new Date("2026-03-02T08:00:00Z");

function mime(headers: Record<string, string>, body: string, contentType = "text/plain; charset=utf-8") {
  return [
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    `Content-Type: ${contentType}`,
    "MIME-Version: 1.0",
    "",
    body,
  ].join("\r\n");
}

describe("turning an e-mail into an inbox message", () => {
  it("takes Message-ID, In-Reply-To and References for threading, and the sender as Name <address>", async () => {
    const parsed = await parseEmail(
      mime(
        {
          From: '"Kim <Berger>" <Kim@Kunde.Test>',
          Subject: "AW: Verspätung",
          "Message-ID": "<c@kunde.test>",
          "In-Reply-To": "<b@nordbahn.test>",
          References: "<a@kunde.test>\r\n <b@nordbahn.test>",
          Date: "Mon, 02 Mar 2026 07:30:00 +0000",
        },
        "Danke.",
      ),
      { receivedAt },
    );
    expect(parsed).toMatchObject({
      externalId: "<c@kunde.test>",
      parentExternalId: "<b@nordbahn.test>",
      threadExternalIds: ["<a@kunde.test>", "<b@nordbahn.test>"],
      authorName: "Kim Berger <kim@kunde.test>",
      subject: "AW: Verspätung",
      text: "Danke.",
      isPublic: false,
      sentAt: new Date("2026-03-02T07:30:00Z"),
    });
    expect(addressOf(parsed.authorName)).toBe("kim@kunde.test");
  });

  it("answers the Reply-To address when there is one (a contact form sending for the customer)", async () => {
    const parsed = await parseEmail(
      mime(
        {
          From: '"Kim Berger" <noreply@shop.example>',
          "Reply-To": "kim@kunde.test",
          "Message-ID": "<f@shop>",
        },
        "Formular",
      ),
      { receivedAt },
    );
    expect(parsed.authorName).toBe("Kim Berger <kim@kunde.test>");
  });

  it("turns HTML into safe plain text: scripts, styles and event handlers are gone", async () => {
    const parsed = await parseEmail(
      mime(
        { From: "a@b.example", "Message-ID": "<h@b.example>" },
        '<html><head><style>p{color:red}</style></head><body><p>Hallo &amp; <b>danke</b></p><script>alert("x")</script><img src=x onerror="alert(1)"><p>Zeile 2</p></body></html>',
        "text/html; charset=utf-8",
      ),
      { receivedAt },
    );
    expect(parsed.text).toBe("Hallo & danke\nZeile 2");
  });

  it("an e-mail without Message-ID gets a stable one from its content; a date in the future is replaced by the receipt time", async () => {
    const source = mime({ From: "a@b.example", Date: "Fri, 01 Jan 2100 00:00:00 +0000" }, "Hallo");
    const one = await parseEmail(source, { receivedAt });
    const two = await parseEmail(source, { receivedAt });
    expect(one.externalId).toMatch(/^<[0-9a-f]{40}@no-message-id\.konversa>$/);
    expect(two.externalId).toBe(one.externalId);
    expect(one.sentAt).toEqual(receivedAt);
  });

  it("an oversized e-mail keeps its ids and subject, with a note instead of the text", async () => {
    const parsed = await parseEmail(
      mime({ From: "a@b.example", Subject: "Video", "Message-ID": "<v@b.example>" }, ""),
      { receivedAt, oversized: { sizeBytes: 30 * 1024 * 1024, limitBytes: 10 * 1024 * 1024 } },
    );
    expect(parsed.externalId).toBe("<v@b.example>");
    expect(parsed.text).toContain("30.0 MB large, more than this channel's limit of 10.0 MB");
  });

  it("reads only well-formed ids from header values, at most 50", () => {
    expect(messageIds("<a@x> junk <b@x>")).toEqual(["<a@x>", "<b@x>"]);
    expect(messageIds(Array.from({ length: 80 }, (_, i) => `<${i}@x>`))).toHaveLength(50);
    expect(messageIds(undefined)).toEqual([]);
  });
});

describe("composing a reply", () => {
  const settings = emailSettingsSchema.parse({
    address: "support@nordbahn.test",
    fromName: "Nordbahn",
    imap: { host: "imap.example", username: "support" },
    smtp: { host: "smtp.example" },
    signature: "Ihr Team",
  });

  it("has one Re:, the threading headers with the parent last, the signature and a Message-ID from the key", () => {
    expect(replySubject("AW: Re: Verspätung")).toBe("Re: Verspätung");
    expect(replySubject(undefined)).toBe("Re: Ihre Nachricht");
    const mail = composeEmail(settings, {
      to: "kim@kunde.test",
      subject: replySubject("Verspätung"),
      text: "Wir prüfen das.",
      idempotencyKey: "4f9c",
      inReplyTo: "<c@kunde.test>",
      references: ["<a@kunde.test>", "<c@kunde.test>", "<b@nordbahn.test>"],
    });
    expect(mail).toMatchObject({
      to: "kim@kunde.test",
      subject: "Re: Verspätung",
      text: "Wir prüfen das.\n\n-- \nIhr Team\n",
      messageId: "<4f9c.konversa@nordbahn.test>",
      inReplyTo: "<c@kunde.test>",
      references: ["<a@kunde.test>", "<b@nordbahn.test>", "<c@kunde.test>"],
    });
    expect(messageIdFor("4f9c", "support@nordbahn.test")).toBe(mail.messageId);
    expect(messageIdFor("key with spaces", "x@y.example")).toMatch(/^<[0-9a-f]{40}\.konversa@y\.example>$/);
  });
});
