import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, anyRole } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, limitQuery, okResponse } from "../../platform/http/schemas.js";
import {
  createRoutingRule,
  dryRunRule,
  listRoutingRules,
  listRuleExecutions,
  removeRoutingRule,
  reorderRoutingRules,
  updateRoutingRule,
} from "./routingRules.js";
import { maxDryRunMentions } from "./routingSubjects.js";
import { ruleActionSchema, ruleConditionSchema } from "./ruleTypes.js";
import { ruleMatchModes, ruleSubjects } from "./schema.js";

export interface AutomationRoutesOptions {
  db: Db;
}

const routingRuleSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number(),
  isActive: z.boolean(),
  appliesTo: z.enum(ruleSubjects),
  match: z.enum(ruleMatchModes),
  conditions: z.array(ruleConditionSchema),
  actions: z.array(ruleActionSchema),
  stopsFurtherRules: z.boolean(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
const routingRuleInput = z.object({
  name: z.string().trim().min(1).max(200),
  isActive: z.boolean().optional(),
  appliesTo: z.enum(ruleSubjects).optional(),
  match: z.enum(ruleMatchModes).optional(),
  conditions: z.array(ruleConditionSchema).max(30),
  actions: z.array(ruleActionSchema).max(20),
  stopsFurtherRules: z.boolean().optional(),
});
const executionSchema = z.object({
  id: z.uuid(),
  ruleId: z.uuid().nullable(),
  ruleName: z.string(),
  itemType: z.enum(["mention", "message"]),
  itemId: z.uuid(),
  matchedConditions: z.array(z.number()),
  outcomes: z.array(
    z.object({ type: z.string(), status: z.enum(["done", "failed", "skipped"]), detail: z.string() }),
  ),
  stoppedFurtherRules: z.boolean(),
  executedAt: isoDate,
});
const dryRunSchema = z.object({
  checked: z.number(),
  matched: z.number(),
  mentions: z.array(
    z.object({
      id: z.uuid(),
      network: z.string(),
      text: z.string(),
      sentiment: z.string().nullable(),
      postedAt: isoDate,
      matchedConditions: z.array(z.number()),
    }),
  ),
});
export type RoutingRule = z.infer<typeof routingRuleSchema>;
export type RoutingRuleInput = z.infer<typeof routingRuleInput>;
export type RuleExecution = z.infer<typeof executionSchema>;
export type DryRunResult = z.infer<typeof dryRunSchema>;

/** Routing rules of the core team: ordered list, editor, dry run over past mentions, execution log. */
export const automationRoutes: FastifyPluginAsyncZod<AutomationRoutesOptions> = async (app, { db }) => {
  const curators = [...adminRoles, "core_team" as const];

  app.get(
    "/api/v1/automation/rules",
    {
      config: { access: anyRole },
      schema: {
        tags: ["automation"],
        summary: "Routing rules in the order they run.",
        response: { 200: z.array(routingRuleSchema) },
      },
    },
    async (request) => listRoutingRules(db, orgOf(request)),
  );
  app.post(
    "/api/v1/automation/rules",
    {
      config: { access: curators },
      schema: {
        tags: ["automation"],
        summary: "Add a routing rule at the end of the list.",
        body: routingRuleInput,
        response: { 201: routingRuleSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createRoutingRule(db, orgOf(request), request.body)),
  );
  app.patch(
    "/api/v1/automation/rules/:routingRuleId",
    {
      config: { access: curators },
      schema: {
        tags: ["automation"],
        summary: "Change a routing rule.",
        params: idParams("routingRuleId"),
        body: routingRuleInput.partial(),
        response: { 200: routingRuleSchema },
      },
    },
    async (request) => updateRoutingRule(db, orgOf(request), request.params.routingRuleId, request.body),
  );
  app.delete(
    "/api/v1/automation/rules/:routingRuleId",
    {
      config: { access: curators },
      schema: {
        tags: ["automation"],
        summary: "Remove a routing rule (its execution log stays).",
        params: idParams("routingRuleId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await removeRoutingRule(db, orgOf(request), request.params.routingRuleId);
      return { ok: true as const };
    },
  );
  app.put(
    "/api/v1/automation/rules/order",
    {
      config: { access: curators },
      schema: {
        tags: ["automation"],
        summary: "Put the rules in a new order (every rule id once).",
        body: z.object({ ruleIds: z.array(z.uuid()).max(500) }),
        response: { 200: z.array(routingRuleSchema) },
      },
    },
    async (request) => reorderRoutingRules(db, orgOf(request), request.body.ruleIds),
  );
  app.post(
    "/api/v1/automation/dry-run",
    {
      config: { access: anyRole },
      schema: {
        tags: ["automation"],
        summary: `Which of the last N mentions (at most ${maxDryRunMentions}) these conditions would have matched; nothing runs.`,
        body: z.object({
          match: z.enum(ruleMatchModes).default("all"),
          conditions: z.array(ruleConditionSchema).max(30),
          limit: z.number().int().min(1).max(maxDryRunMentions).default(maxDryRunMentions),
        }),
        response: { 200: dryRunSchema },
      },
    },
    async (request) =>
      dryRunRule(db, orgOf(request), {
        rule: { match: request.body.match, conditions: request.body.conditions },
        limit: request.body.limit,
      }),
  );
  app.get(
    "/api/v1/automation/executions",
    {
      config: { access: anyRole },
      schema: {
        tags: ["automation"],
        summary:
          "The execution log: which rule matched which item, which conditions held, what each action did.",
        querystring: z.object({
          ruleId: z.uuid().optional(),
          itemId: z.uuid().optional(),
          before: z.coerce.date().optional(),
          limit: limitQuery,
        }),
        response: { 200: z.array(executionSchema) },
      },
    },
    async (request) => listRuleExecutions(db, orgOf(request), request.query),
  );
};
