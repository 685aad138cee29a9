import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { describeConnector } from "../../connectors/connectorFields.js";
import { adminRoles } from "../../platform/auth/roles.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate } from "../../platform/http/schemas.js";
import { allowPrivateHost, listAllowedPrivateHosts, removePrivateHost } from "./allowedPrivateHosts.js";
import {
  type ChannelDeps,
  checkChannelAccount,
  createChannelAccount,
  deleteChannelAccount,
  listChannelAccounts,
  rotateChannelCredentials,
  setChannelAccountPaused,
  updateChannelAccount,
  validateChannelAccount,
} from "./channelAccounts.js";
import { channelHealths } from "./schema.js";

const accountSchema = z.object({
  id: z.uuid(),
  channelId: z.uuid().describe("The inbox channel this account feeds"),
  network: z.string(),
  name: z.string(),
  isPrivate: z.boolean(),
  displayName: z.string().nullable().describe("The account as the network names it"),
  settings: z.record(z.string(), z.unknown()).describe("Non-secret settings; credentials are never returned"),
  health: z.enum(channelHealths),
  lastError: z.string().nullable().describe("The network's message when the last check or poll failed"),
  lastCheckedAt: isoDate.nullable(),
  lastPolledAt: isoDate.nullable().describe("When the last poll ran, successful or not"),
  nextPollAt: isoDate.describe("When the account is polled next (later after failures: backoff)"),
  failureCount: z.number().int().describe("Polls that failed in a row"),
  pausedAt: isoDate.nullable().describe("Set while an admin paused the account (not polled)"),
  rateLimit: z
    .object({
      limit: z.number().optional(),
      remaining: z.number().optional(),
      resetAt: z.string().optional(),
    })
    .nullable(),
  createdAt: isoDate,
});
const fieldSchema = z.object({
  name: z.string(),
  group: z.enum(["settings", "credentials"]),
  type: z.enum(["text", "url", "number", "boolean", "list", "select", "json"]),
  secret: z.boolean().describe("Credentials: a password field, stored encrypted, never shown again"),
  required: z.boolean(),
  integer: z.boolean().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  maxLength: z.number().optional(),
  options: z.array(z.string()).optional(),
  default: z.unknown().optional(),
  labelKey: z.string().describe("Translation key of the label in the web app"),
  label: z.string().describe("English fallback label"),
  description: z.string().optional(),
});
const connectorSchema = z.object({
  network: z.string(),
  isPrivateByDefault: z.boolean(),
  receives: z.boolean().describe("It polls the network"),
  sends: z.boolean().describe("It sends replies"),
  fields: z.array(fieldSchema),
});
const allowedHostSchema = z.object({ id: z.uuid(), host: z.string(), createdAt: isoDate });
const accountParams = idParams("channelAccountId");
const accountInput = z.object({
  network: z.string().min(1).max(40).describe("mastodon, rss, webhook or log (see docs/connectors.md)"),
  settings: z.record(z.string(), z.unknown()).default({}),
  credentials: z.record(z.string(), z.unknown()).default({}).describe("Stored encrypted, never returned"),
});

/** Settings → Channels: connect, check, list and disconnect network accounts (admins). */
export const channelAccountRoutes: FastifyPluginAsyncZod<ChannelDeps> = async (app, deps) => {
  app.get(
    "/api/v1/settings/channel-accounts",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary: "Connected network accounts with their health and rate-limit state.",
        response: { 200: z.array(accountSchema) },
      },
    },
    async (request) => listChannelAccounts(deps.db, orgOf(request)),
  );
  app.get(
    "/api/v1/settings/connectors",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary:
          "The connectors an account can be connected with, and the fields of their settings and credentials (for the connect form).",
        response: { 200: z.array(connectorSchema) },
      },
    },
    async () => Object.values(deps.connectors).map(describeConnector),
  );
  app.patch(
    "/api/v1/settings/channel-accounts/:channelAccountId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary:
          "Rename, or change the settings (complete, e.g. a feed's interval): new settings are checked with the network first; 400 with its message.",
        params: accountParams,
        body: z.object({
          name: z.string().trim().min(1).max(100).optional(),
          settings: z.record(z.string(), z.unknown()).optional(),
        }),
        response: { 200: accountSchema },
      },
    },
    async (request) =>
      updateChannelAccount(deps, orgOf(request), request.params.channelAccountId, request.body),
  );
  app.put(
    "/api/v1/settings/channel-accounts/:channelAccountId/credentials",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary:
          "Replace the credentials (rotate a token or secret): checked with the network, then stored encrypted; never returned.",
        params: accountParams,
        body: z.object({ credentials: z.record(z.string(), z.unknown()) }),
        response: { 200: accountSchema },
      },
    },
    async (request) =>
      rotateChannelCredentials(
        deps,
        orgOf(request),
        request.params.channelAccountId,
        request.body.credentials,
      ),
  );
  app.put(
    "/api/v1/settings/channel-accounts/:channelAccountId/paused",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary: "Pause (no more polls) or resume (polled right away) the account.",
        params: accountParams,
        body: z.object({ paused: z.boolean() }),
        response: { 200: accountSchema },
      },
    },
    async (request) =>
      setChannelAccountPaused(deps, orgOf(request), request.params.channelAccountId, request.body.paused),
  );
  app.get(
    "/api/v1/settings/allowed-private-hosts",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary:
          "Hosts the organization's connectors may reach although they resolve to private addresses (SSRF guard allow-list).",
        response: { 200: z.array(allowedHostSchema) },
      },
    },
    async (request) => listAllowedPrivateHosts(deps.db, orgOf(request)),
  );
  app.post(
    "/api/v1/settings/allowed-private-hosts",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary: "Allow a private host (name or address, no scheme or port); audited.",
        body: z.object({ host: z.string().min(1).max(255) }),
        response: { 201: allowedHostSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await allowPrivateHost(deps.db, orgOf(request), request.body.host)),
  );
  app.delete(
    "/api/v1/settings/allowed-private-hosts/:allowedHostId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary: "Take a host off the allow-list; audited.",
        params: idParams("allowedHostId"),
      },
    },
    async (request, reply) => {
      await removePrivateHost(deps.db, orgOf(request), request.params.allowedHostId);
      return reply.status(204).send();
    },
  );
  app.post(
    "/api/v1/settings/channel-accounts/validate",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary: "Checks settings and credentials with the network without saving; 400 with its message.",
        body: accountInput,
        response: { 200: z.object({ ok: z.literal(true), displayName: z.string().nullable() }) },
      },
    },
    async (request) => validateChannelAccount(deps, orgOf(request), request.body),
  );
  app.post(
    "/api/v1/settings/channel-accounts",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary:
          "Connects an account: validated with the network first, then saved with a new inbox channel.",
        body: accountInput.extend({
          name: z.string().trim().min(1).max(100).describe("The channel's name in the inbox"),
          isPrivate: z.boolean().optional().describe("Conversations are private; default: the network's"),
        }),
        response: { 201: accountSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createChannelAccount(deps, orgOf(request), request.body)),
  );
  app.post(
    "/api/v1/settings/channel-accounts/:channelAccountId/check",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary: "Asks the network again whether the stored account works and records its health.",
        params: idParams("channelAccountId"),
        response: { 200: accountSchema },
      },
    },
    async (request) => checkChannelAccount(deps, orgOf(request), request.params.channelAccountId),
  );
  app.delete(
    "/api/v1/settings/channel-accounts/:channelAccountId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["channels"],
        summary:
          "Disconnects the account (credentials and cursor deleted); the channel's conversations stay.",
        params: idParams("channelAccountId"),
      },
    },
    async (request, reply) => {
      await deleteChannelAccount(deps, orgOf(request), request.params.channelAccountId);
      return reply.status(204).send();
    },
  );
};

export type ChannelAccount = z.infer<typeof accountSchema>;
export type ConnectorInfo = z.infer<typeof connectorSchema>;
export type ConnectorFieldInfo = z.infer<typeof fieldSchema>;
export type AllowedPrivateHost = z.infer<typeof allowedHostSchema>;
