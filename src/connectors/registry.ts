import { blueskyConnector } from "./bluesky/blueskyConnector.js";
import type { Connector } from "./connector.js";
import { emailConnector } from "./email/emailConnector.js";
import { feedConnector } from "./feeds/feedConnector.js";
import { logConnector } from "./log/logConnector.js";
import { mastodonConnector } from "./mastodon/mastodonConnector.js";
import { webchatConnector } from "./webchat/webchatConnector.js";
import { webhookConnector } from "./webhook/webhookConnector.js";

/** Every connector by the channel type it serves; a new network adds one line here. */
export const connectors: Record<string, Connector<unknown, unknown>> = Object.fromEntries(
  [
    logConnector,
    webhookConnector,
    feedConnector,
    mastodonConnector,
    blueskyConnector,
    webchatConnector,
    emailConnector,
  ].map((c) => [c.network, c as unknown as Connector<unknown, unknown>]),
);

export type ConnectorRegistry = typeof connectors;
/** The channel types a channel account can be created for. */
export const connectorNetworks = [
  "log",
  "webhook",
  "rss",
  "mastodon",
  "bluesky",
  "webchat",
  "email",
] as const;
export type ConnectorNetwork = (typeof connectorNetworks)[number];
