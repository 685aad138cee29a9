import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "../../platform/db/client.js";
import { addBusinessMinutes, type Schedule } from "./businessTime.js";
import { businessHours, slaPolicy } from "./schema.js";

/** Targets that apply when an organization has set none: a day for a first answer to a public post. */
export const defaultSlaTargets = {
  firstResponseMinutes: 24 * 60,
  nextResponseMinutes: 24 * 60,
  resolutionMinutes: null as number | null,
  immediateResponseMinutes: 15,
  urgencyThreshold: 0.7,
};

export interface EffectivePolicy {
  /** null: the built-in defaults. */
  policyId: string | null;
  firstResponseMinutes: number;
  nextResponseMinutes: number;
  resolutionMinutes: number | null;
  immediateResponseMinutes: number;
  urgencyThreshold: number;
  schedule: Schedule | null;
}

/** The channel's own policy, else the organization's default, else the built-in defaults. */
export async function policyFor(
  tx: DbOrTx,
  organizationId: string,
  channelId: string,
): Promise<EffectivePolicy> {
  const rows = await tx
    .select({ policy: slaPolicy, schedule: businessHours })
    .from(slaPolicy)
    .leftJoin(businessHours, eq(businessHours.id, slaPolicy.businessHoursId))
    .where(and(eq(slaPolicy.organizationId, organizationId), eq(slaPolicy.channelId, channelId)));
  const own =
    rows[0] ??
    (
      await tx
        .select({ policy: slaPolicy, schedule: businessHours })
        .from(slaPolicy)
        .leftJoin(businessHours, eq(businessHours.id, slaPolicy.businessHoursId))
        .where(and(eq(slaPolicy.organizationId, organizationId), isNull(slaPolicy.channelId)))
    )[0];
  if (!own) return { policyId: null, ...defaultSlaTargets, schedule: null };
  const { policy, schedule } = own;
  return {
    policyId: policy.id,
    firstResponseMinutes: policy.firstResponseMinutes,
    nextResponseMinutes: policy.nextResponseMinutes,
    resolutionMinutes: policy.resolutionMinutes,
    immediateResponseMinutes: policy.immediateResponseMinutes,
    urgencyThreshold: policy.urgencyThreshold,
    schedule: schedule
      ? { timezone: schedule.timezone, weeklyRanges: schedule.weeklyRanges, holidays: schedule.holidays }
      : null,
  };
}

/** The due times a conversation carries, as far as the clocks are concerned. */
export interface ConversationClocks {
  firstRespondedAt: Date | null;
  firstResponseDueAt: Date | null;
  nextResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
}

export interface CustomerMessageClock {
  /** When the customer's message arrived. */
  at: Date;
  /** The message's urgency score (nlp `urgency.score`); above the policy's threshold it is due at once. */
  urgency: number;
}

/**
 * What a customer's message does to the clocks: before the first answer it starts (or, if urgent,
 * shortens) the first-response clock, afterwards the next-response clock. A clock that is already
 * running is never lengthened by a later message. The resolution clock starts once.
 */
export function clocksAfterCustomerMessage(
  policy: EffectivePolicy,
  current: ConversationClocks,
  message: CustomerMessageClock,
): Partial<ConversationClocks> {
  const urgent = message.urgency > policy.urgencyThreshold;
  const answered = current.firstRespondedAt !== null;
  const normalMinutes = answered ? policy.nextResponseMinutes : policy.firstResponseMinutes;
  const minutes = urgent ? Math.min(policy.immediateResponseMinutes, normalMinutes) : normalMinutes;
  const due = addBusinessMinutes(message.at, minutes, policy.schedule);
  const running = answered ? current.nextResponseDueAt : current.firstResponseDueAt;
  const next = running && running <= due ? running : due;
  const patch: Partial<ConversationClocks> = answered
    ? { nextResponseDueAt: next }
    : { firstResponseDueAt: next };
  if (current.resolutionDueAt === null && policy.resolutionMinutes !== null) {
    patch.resolutionDueAt = addBusinessMinutes(message.at, policy.resolutionMinutes, policy.schedule);
  }
  return patch;
}

/** What the organization's answer does: the response clocks stop; the resolution clock runs on. */
export function clocksAfterAnswer(current: ConversationClocks, at: Date): Partial<ConversationClocks> {
  return {
    firstRespondedAt: current.firstRespondedAt ?? at,
    firstResponseDueAt: null,
    nextResponseDueAt: null,
  };
}

/** A resolved conversation owes nothing. */
export const clocksStopped: Partial<ConversationClocks> = {
  firstResponseDueAt: null,
  nextResponseDueAt: null,
  resolutionDueAt: null,
};
