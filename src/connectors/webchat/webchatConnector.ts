import { z } from "zod";
import { sendMail } from "../../platform/mail/mailer.js";
import { type Connector, ConnectorError, type EmailFollowUp, type OutgoingReply } from "../connector.js";

const originPattern = /^https?:\/\/[^/\s?#]+$/;

export const webchatSettingsSchema = z.object({
  /**
   * The websites that may embed the chat (`https://www.example.com`, scheme and host, port when not
   * the default); the script and the WebSocket refuse every other Origin.
   */
  allowedOrigins: z
    .array(
      z
        .string()
        .trim()
        .regex(originPattern, "must be an origin like https://www.example.com (no path)")
        .transform((o) => new URL(o).origin),
    )
    .min(1, "name at least one website that may embed the chat")
    .max(50),
  /** Shown beside the consent checkbox of the pre-chat form and recorded as the consent's wording. */
  privacyText: z.string().trim().min(10, "must say what the data is used for").max(4_000),
  /** The first line of the chat window. */
  greeting: z.string().trim().min(1).max(500).default("Hallo! Wie können wir helfen?"),
  /** The widget's accent colour. */
  colour: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #1c7ed6")
    .default("#1c7ed6"),
  /** Opening hours (Settings → Service levels); outside them the chat continues by e-mail. */
  businessHoursId: z.uuid().nullable().default(null),
});
export type WebchatSettings = z.infer<typeof webchatSettingsSchema>;
type Credentials = Record<string, never>;

/**
 * The chat on the organization's own website. Visitors write through the widget's WebSocket (the
 * webchat module receives them); an agent's reply leaves through the outbound queue like on every
 * network: live, it is pushed to the visitor's open widget when the queue marks it sent; for a chat
 * that went on by e-mail (nobody was online), it is sent by SMTP to the visitor's address here.
 */
export const webchatConnector: Connector<WebchatSettings, Credentials> = {
  network: "webchat",
  isPrivateByDefault: true,
  account: {
    settingsSchema: webchatSettingsSchema as unknown as z.ZodType<WebchatSettings>,
    credentialsSchema: z.object({}).strict() as unknown as z.ZodType<Credentials>,
    async validate(account) {
      return { displayName: account.settings.allowedOrigins.map((o) => new URL(o).host).join(", ") };
    },
  },
  outbound: {
    async send(_account, reply) {
      if (reply.emailFollowUp) return sendFollowUpMail(reply, reply.emailFollowUp);
      // The reply is stored; the webchat module pushes it to the visitor's widget once it is sent,
      // and a widget that was closed shows it from the history when the visitor comes back.
      return { externalId: `webchat:${reply.idempotencyKey}` };
    },
  },
};

const followUpWords = {
  de: {
    subject: "Ihre Chat-Anfrage",
    hello: (name: string) => `Hallo ${name},`,
    footer: (site: string) =>
      `Sie haben uns über den Chat auf ${site} geschrieben. Antworten Sie einfach auf diese E-Mail.`,
  },
  en: {
    subject: "Your chat message",
    hello: (name: string) => `Hello ${name},`,
    footer: (site: string) => `You wrote to us in the chat on ${site}. Simply reply to this e-mail.`,
  },
};

/** The agent's reply as an e-mail to the visitor; SMTP 5xx is final, anything else is tried again. */
async function sendFollowUpMail(reply: OutgoingReply, followUp: EmailFollowUp) {
  if (!followUp.smtp) {
    throw new ConnectorError(
      "No SMTP server is set up for this organization (Settings → E-mail), so the offline chat cannot be answered by e-mail.",
      "permanent",
    );
  }
  const words = followUpWords[followUp.language === "de" ? "de" : "en"];
  try {
    const sent = await sendMail(followUp.smtp, {
      to: [followUp.to],
      subject: words.subject,
      text: `${words.hello(followUp.name)}\n\n${reply.text}\n\n-- \n${words.footer(followUp.startedAt)}\n`,
    });
    return { externalId: sent.messageId };
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode;
    const reason = `SMTP: ${(error as Error).message}`;
    throw new ConnectorError(reason, code !== undefined && code >= 500 ? "permanent" : "retry");
  }
}
