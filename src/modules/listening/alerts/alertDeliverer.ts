import { and, eq, inArray, isNull, lt, or } from "drizzle-orm";
import { decryptSecret } from "../../../platform/crypto/secrets.js";
import { signWebhook } from "../../../platform/crypto/webhookSignature.js";
import type { Db } from "../../../platform/db/client.js";
import { sendMail } from "../../../platform/mail/mailer.js";
import { smtpSettings } from "../../organizations/schema.js";
import { alert, alertDelivery, alertRule } from "../schema.js";

const maxAttempts = 5;
const leaseMs = 2 * 60_000;

export interface DeliverAlertsProps {
  /** Decrypts webhook secrets and SMTP passwords. */
  secretsKey: Buffer;
  baseUrl: string;
  fetchImpl?: typeof fetch;
}

/**
 * Sends the pending deliveries of fired alerts (webhook, e-mail). Failures are kept with their reason
 * and retried on the next call until they have been tried five times. Each worker claims the rows it
 * sends with a lease (locked rows skipped), so two workers never send the same delivery twice; a
 * worker that dies mid-send leaves the lease to run out.
 */
export async function deliverPendingAlerts(db: Db, props: DeliverAlertsProps) {
  const now = new Date();
  const claimedIds = await db.transaction(async (tx) => {
    const due = await tx
      .select({ id: alertDelivery.id })
      .from(alertDelivery)
      .where(
        and(
          eq(alertDelivery.status, "pending"),
          lt(alertDelivery.attempts, maxAttempts),
          or(isNull(alertDelivery.leaseUntil), lt(alertDelivery.leaseUntil, now)),
        ),
      )
      .limit(100)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    const ids = due.map((d) => d.id);
    await tx
      .update(alertDelivery)
      .set({ leaseUntil: new Date(now.getTime() + leaseMs) })
      .where(inArray(alertDelivery.id, ids));
    return ids;
  });
  if (claimedIds.length === 0) return { sent: 0, tried: 0 };
  const pending = await db
    .select({ delivery: alertDelivery, alert, rule: alertRule })
    .from(alertDelivery)
    .innerJoin(alert, eq(alert.id, alertDelivery.alertId))
    .innerJoin(alertRule, eq(alertRule.id, alert.ruleId))
    .where(inArray(alertDelivery.id, claimedIds));
  let sent = 0;
  for (const { delivery, alert: fired, rule } of pending) {
    const payload = {
      id: fired.id,
      type: fired.type,
      title: fired.title,
      firedAt: fired.firedAt.toISOString(),
      details: fired.details,
      mentionIds: fired.mentionIds,
      link: `${props.baseUrl}/listening/alerts/${fired.id}`,
    };
    try {
      if (delivery.channel === "webhook") {
        const body = JSON.stringify(payload);
        const timestamp = String(Math.floor(Date.now() / 1000));
        const secret = rule.delivery.webhookSecretEncrypted
          ? decryptSecret(props.secretsKey, rule.delivery.webhookSecretEncrypted)
          : "";
        const response = await (props.fetchImpl ?? fetch)(delivery.target, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-konversa-timestamp": timestamp,
            "x-konversa-signature": signWebhook(secret, timestamp, body),
            "user-agent": "Konversa-Alerts/1",
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
      } else if (delivery.channel === "email") {
        const [smtp] = await db
          .select()
          .from(smtpSettings)
          .where(eq(smtpSettings.organizationId, delivery.organizationId));
        if (!smtp) throw new Error("no SMTP server is set up for this organization (Settings → E-mail)");
        await sendMail(
          {
            ...smtp,
            password: smtp.passwordEncrypted ? decryptSecret(props.secretsKey, smtp.passwordEncrypted) : null,
          },
          {
            to: [delivery.target],
            subject: `[Konversa] ${fired.title}`,
            text: `${fired.title}\n\n${String(fired.details.summary ?? "")}\n\n${payload.link}\n`,
          },
        );
      }
      await db
        .update(alertDelivery)
        .set({
          status: "sent",
          sentAt: new Date(),
          attempts: delivery.attempts + 1,
          lastError: null,
          leaseUntil: null,
        })
        .where(eq(alertDelivery.id, delivery.id));
      sent += 1;
    } catch (error) {
      const attempts = delivery.attempts + 1;
      await db
        .update(alertDelivery)
        .set({
          attempts,
          lastError: (error as Error).message,
          status: attempts >= maxAttempts ? "failed" : "pending",
          leaseUntil: null,
        })
        .where(eq(alertDelivery.id, delivery.id));
    }
  }
  return { sent, tried: pending.length };
}
