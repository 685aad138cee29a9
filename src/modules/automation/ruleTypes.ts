import { z } from "zod";

/**
 * What a routing rule can test and do. The zod schemas are the single source of the API, the
 * stored JSON and the web editor's types.
 */
const sentiments = ["negative", "neutral", "positive"] as const;
const words = z.array(z.string().trim().min(1).max(100)).min(1).max(50);

export const ruleConditionSchema = z.discriminatedUnion("type", [
  /** The mention matched one of these listening queries. */
  z.object({ type: z.literal("query"), queryIds: z.array(z.uuid()).min(1).max(50) }),
  /** The network (`bluesky`, `mastodon`, `email` …) the item came from. */
  z.object({ type: z.literal("channel"), networks: words }),
  z.object({
    type: z.literal("language"),
    languages: z.array(z.string().trim().min(2).max(8)).min(1).max(20),
  }),
  z.object({ type: z.literal("sentiment"), sentiments: z.array(z.enum(sentiments)).min(1) }),
  /** The text is about one of these aspects, optionally with this polarity. */
  z.object({
    type: z.literal("aspect"),
    aspects: words,
    polarity: z.enum(sentiments).optional(),
  }),
  /** The urgency score (0–1) is at least `min`. */
  z.object({ type: z.literal("urgency"), min: z.number().min(0).max(1) }),
  /** The offensive probability (0–1) is at least `min`. */
  z.object({ type: z.literal("offensive"), min: z.number().min(0).max(1).default(0.5) }),
  /** The text contains one of these words or phrases (case-insensitive, whole words). */
  z.object({ type: z.literal("keywords"), keywords: words }),
  /** The author is marked VIP (listening › influencers). */
  z.object({ type: z.literal("author_vip") }),
  /** The author is a known contact carrying one of these tags (the contact's segment). */
  z.object({ type: z.literal("contact_tag"), tags: words }),
  /** The item arrived inside (or, with `inside: false`, outside) these business hours. */
  z.object({
    type: z.literal("business_hours"),
    businessHoursId: z.uuid(),
    inside: z.boolean().default(true),
  }),
]);
export type RuleCondition = z.infer<typeof ruleConditionSchema>;

const note = z.string().trim().max(2000);
export const ruleActionSchema = z.discriminatedUnion("type", [
  /** Into the inbox of a department and/or to a colleague (a mention becomes a conversation). */
  z.object({
    type: z.literal("assign"),
    departmentId: z.uuid().optional(),
    assigneeMemberId: z.uuid().optional(),
  }),
  z.object({ type: z.literal("set_priority"), priority: z.number().int().min(0).max(3) }),
  z.object({ type: z.literal("add_labels"), labels: words }),
  /** An insight card for a department with the core team's note. */
  z.object({ type: z.literal("forward_insight"), departmentId: z.uuid(), note }),
  /** A notification to these colleagues and/or every member of a department. */
  z.object({
    type: z.literal("notify"),
    memberIds: z.array(z.uuid()).max(50).default([]),
    departmentId: z.uuid().optional(),
  }),
  /** Hide an offensive post until a person reviews it (moderation queue). */
  z.object({ type: z.literal("hide_pending_review") }),
  /** A lead card for Sales (the department `sales`, or the one named). */
  z.object({ type: z.literal("create_lead"), departmentId: z.uuid().optional(), note }),
  /** Reply with a canned response, where the channel can send replies. */
  z.object({ type: z.literal("auto_acknowledge"), cannedResponseId: z.uuid() }),
]);
export type RuleAction = z.infer<typeof ruleActionSchema>;

export const ruleConditionTypes = ruleConditionSchema.options.map((o) => o.shape.type.value);
export const ruleActionTypes = ruleActionSchema.options.map((o) => o.shape.type.value);
