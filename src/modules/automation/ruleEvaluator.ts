import { addBusinessMinutes, type Schedule } from "../sla/businessTime.js";
import type { RuleCondition } from "./ruleTypes.js";

/** What a rule sees of a new mention or an incoming message, after the text analysis. */
export interface RoutingSubject {
  kind: "mention" | "message";
  /** The mention's or the message's id. */
  id: string;
  /** The conversation a message belongs to (messages only). */
  conversationId: string | null;
  network: string;
  text: string;
  language: string | null;
  sentiment: string | null;
  aspects: Array<{ category: string; polarity: string }>;
  urgency: number;
  offensiveScore: number;
  matchedQueryIds: string[];
  authorIsVip: boolean;
  contactTags: string[];
  /** When it arrived (business hours are judged on this). */
  at: Date;
}

export interface RuleShape {
  match: "all" | "any";
  conditions: RuleCondition[];
}

export interface EvaluationContext {
  /** The organization's business hours by id. */
  schedules: Map<string, Schedule>;
}

export interface RuleVerdict {
  matched: boolean;
  /** Indexes of the conditions that held. */
  matchedConditions: number[];
}

/**
 * Whether a rule matches: all (or any) of its conditions hold. A rule without conditions matches
 * everything (a catch-all at the end of the list).
 */
export function evaluateRule(
  rule: RuleShape,
  subject: RoutingSubject,
  context: EvaluationContext,
): RuleVerdict {
  const matchedConditions: number[] = [];
  rule.conditions.forEach((condition, index) => {
    if (conditionHolds(condition, subject, context)) matchedConditions.push(index);
  });
  const matched =
    rule.conditions.length === 0 ||
    (rule.match === "all"
      ? matchedConditions.length === rule.conditions.length
      : matchedConditions.length > 0);
  return { matched, matchedConditions };
}

export function conditionHolds(
  condition: RuleCondition,
  subject: RoutingSubject,
  context: EvaluationContext,
): boolean {
  const lower = (values: string[]) => values.map((v) => v.trim().toLowerCase());
  switch (condition.type) {
    case "query":
      return condition.queryIds.some((id) => subject.matchedQueryIds.includes(id));
    case "channel":
      return lower(condition.networks).includes(subject.network.toLowerCase());
    case "language":
      return subject.language !== null && lower(condition.languages).includes(subject.language.toLowerCase());
    case "sentiment":
      return subject.sentiment !== null && (condition.sentiments as string[]).includes(subject.sentiment);
    case "aspect": {
      const wanted = lower(condition.aspects);
      return subject.aspects.some(
        (a) =>
          wanted.includes(a.category.toLowerCase()) &&
          (condition.polarity === undefined || a.polarity === condition.polarity),
      );
    }
    case "urgency":
      return subject.urgency >= condition.min;
    case "offensive":
      return subject.offensiveScore >= condition.min;
    case "keywords":
      return condition.keywords.some((keyword) => containsWords(subject.text, keyword));
    case "author_vip":
      return subject.authorIsVip;
    case "contact_tag": {
      const tags = lower(subject.contactTags);
      return lower(condition.tags).some((tag) => tags.includes(tag));
    }
    case "business_hours": {
      const schedule = context.schedules.get(condition.businessHoursId);
      // Hours that were removed: the condition cannot be judged, so it does not hold.
      if (!schedule) return false;
      return isOpen(schedule, subject.at) === condition.inside;
    }
  }
}

/** Open at this instant: zero working minutes from it end at the same instant. */
export function isOpen(schedule: Schedule, at: Date): boolean {
  try {
    return addBusinessMinutes(at, 0, schedule).getTime() === at.getTime();
  } catch {
    return false;
  }
}

/** A word or phrase as whole words, case-insensitive, any script (umlauts included). */
export function containsWords(text: string, phrase: string): boolean {
  const escaped = phrase
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/\s+/g, "\\s+");
  if (!escaped) return false;
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, "iu").test(text);
}
