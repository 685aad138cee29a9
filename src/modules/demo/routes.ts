import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { adminRoles } from "../../platform/auth/roles.js";
import { NotFoundError } from "../../platform/errors.js";
import { orgOf } from "../../platform/http/access.js";
import { okResponse } from "../../platform/http/schemas.js";
import type { DemoStream } from "./listeningDemo.js";

/** The demo's storm button: only in the demo organization of an embedded `konversa start`. */
export const demoRoutes: FastifyPluginAsyncZod<{ stream?: DemoStream & { organizationId: string } }> = async (
  app,
  { stream },
) => {
  app.post(
    "/api/v1/demo/storm",
    {
      config: { access: [...adminRoles, "core_team"] },
      schema: {
        tags: ["demo"],
        summary: "Start a storm of angry demo posts (demo organization only) to see the early warning fire.",
        response: { 202: okResponse },
      },
    },
    async (request, reply) => {
      if (!stream || stream.organizationId !== orgOf(request).organizationId) {
        throw new NotFoundError("The demo stream of this organization");
      }
      stream.triggerStorm();
      return reply.status(202).send({ ok: true as const });
    },
  );
};
