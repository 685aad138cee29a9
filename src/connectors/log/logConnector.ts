import { z } from "zod";
import type { Connector } from "../connector.js";

/**
 * The "log only" channel: replies are marked sent without reaching any network, so the inbox flow
 * (reply → delivery state) works in tests, demos and integrations that read replies via the API.
 */
export const logConnector: Connector<Record<string, never>, Record<string, never>> = {
  network: "log",
  isPrivateByDefault: false,
  account: {
    settingsSchema: z.object({}).strict(),
    credentialsSchema: z.object({}).strict(),
    async validate() {
      return { displayName: "Log only" };
    },
  },
  outbound: {
    async send(_account, reply) {
      return { externalId: `log:${reply.idempotencyKey}` };
    },
  },
};
