import { z } from "zod";
import { signWebhook } from "../../platform/crypto/webhookSignature.js";
import {
  allowedHostsOf,
  type Connector,
  ConnectorError,
  callNetwork,
  errorFromResponse,
} from "../connector.js";

export const webhookSettingsSchema = z.object({
  /** Where replies are POSTed (signed); omitted: the channel only receives. */
  replyUrl: z.url().max(2048).optional().describe("Where replies are POSTed, signed; empty: receive only"),
  /** Hosts an admin allows although they resolve to private addresses (an on-premises system). */
  allowHosts: z
    .array(z.string().trim().min(1).max(253))
    .max(20)
    .default([])
    .describe("Private hosts the reply URL may reach (the organization's list applies too)"),
});
export const webhookCredentialsSchema = z.object({
  /** Shared secret for HMAC-SHA256 signatures, both directions. */
  secret: z
    .string()
    .min(16, "must be at least 16 characters")
    .max(256)
    .describe("Shared secret for the HMAC-SHA256 signatures, at least 16 characters"),
});
type Settings = z.infer<typeof webhookSettingsSchema>;
type Credentials = z.infer<typeof webhookCredentialsSchema>;

/**
 * The generic webhook channel: a system of the customer's own posts messages to
 * `POST /api/v1/hooks/:channelId` (signed, see docs/connectors.md) and receives the replies at its
 * reply URL, signed the same way, with an Idempotency-Key header that stays the same on retries.
 */
export const webhookConnector: Connector<Settings, Credentials> = {
  network: "webhook",
  isPrivateByDefault: true,
  account: {
    settingsSchema: webhookSettingsSchema as z.ZodType<Settings>,
    credentialsSchema: webhookCredentialsSchema,
    async validate(account) {
      if (account.settings.replyUrl) {
        // Only the address is checked (resolvable, not private unless allowed); nothing is sent.
        const url = new URL(account.settings.replyUrl);
        if (url.protocol !== "https:" && url.protocol !== "http:") {
          throw new ConnectorError("The reply URL must be http or https.", "permanent");
        }
      }
      return { displayName: account.settings.replyUrl ? new URL(account.settings.replyUrl).host : "Webhook" };
    },
  },
  outbound: {
    async send(account, reply) {
      if (!account.settings.replyUrl) {
        throw new ConnectorError("This webhook channel has no reply URL.", "permanent");
      }
      const body = JSON.stringify({
        type: "reply",
        idempotencyKey: reply.idempotencyKey,
        conversationId: reply.conversationId,
        inReplyTo: reply.inReplyTo?.externalId ?? null,
        isPublic: reply.isPublic,
        text: reply.text,
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const response = await callNetwork("webhook", account.settings.replyUrl, {
        method: "POST",
        body,
        allowHosts: allowedHostsOf(account),
        headers: {
          "content-type": "application/json",
          "idempotency-key": reply.idempotencyKey,
          "x-konversa-timestamp": timestamp,
          "x-konversa-signature": signWebhook(account.credentials.secret, timestamp, body),
        },
      });
      if (response.status >= 300) {
        throw errorFromResponse({
          network: "webhook",
          status: response.status,
          body: response.body,
          retryAfter: response.headers["retry-after"],
        });
      }
      const answer = parseJson(response.body) as { externalId?: unknown } | undefined;
      return { externalId: typeof answer?.externalId === "string" ? answer.externalId : undefined };
    },
  },
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
