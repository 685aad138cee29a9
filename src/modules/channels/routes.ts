import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles } from "../../platform/auth/roles.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate } from "../../platform/http/schemas.js";
import {
  type ChannelDeps,
  checkChannelAccount,
  createChannelAccount,
  deleteChannelAccount,
  listChannelAccounts,
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
  rateLimit: z
    .object({
      limit: z.number().optional(),
      remaining: z.number().optional(),
      resetAt: z.string().optional(),
    })
    .nullable(),
  createdAt: isoDate,
});
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
