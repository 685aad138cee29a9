import { and, eq, inArray, isNull } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import { user } from "../../platform/auth/schema.js";
import { decryptSecret } from "../../platform/crypto/secrets.js";
import type { Db } from "../../platform/db/client.js";
import { sendMail } from "../../platform/mail/mailer.js";
import { addInterval, startOfWeek } from "../kpis/periods.js";
import { department, member, memberDepartment, organization, smtpSettings } from "../organizations/schema.js";
import { buildBriefingContent } from "./briefingBuilder.js";
import type { BriefingContent } from "./briefingContent.js";
import { briefingSections } from "./briefingText.js";
import { renderPdf } from "./pdfDocument.js";
import { briefing } from "./schema.js";

export interface BriefingDeps {
  db: Db;
  /** Decrypts the SMTP password. */
  secretsKey: Buffer;
  /** Where the briefing's web page lives, for the link in the e-mail. */
  baseUrl: string;
}

export function briefingPdf(content: BriefingContent): Promise<Buffer> {
  const { title, subtitle, sections } = briefingSections(content);
  return renderPdf({ title, subtitle, blocks: sections });
}

/**
 * Who gets a briefing by e-mail: the department's members, or for the organization's briefing the
 * core team, admins and owners.
 */
async function recipients(db: Db, organizationId: string, departmentId: string | null) {
  const rows = departmentId
    ? await db
        .select({ email: user.email })
        .from(memberDepartment)
        .innerJoin(member, eq(member.id, memberDepartment.memberId))
        .innerJoin(user, eq(user.id, member.userId))
        .where(
          and(
            eq(memberDepartment.organizationId, organizationId),
            eq(memberDepartment.departmentId, departmentId),
          ),
        )
    : await db
        .select({ email: user.email })
        .from(member)
        .innerJoin(user, eq(user.id, member.userId))
        .where(
          and(
            eq(member.organizationId, organizationId),
            inArray(member.role, ["owner", "admin", "core_team"]),
          ),
        );
  return [...new Set(rows.map((r) => r.email))];
}

export interface GenerateBriefingProps {
  organizationId: string;
  departmentId: string | null;
  /** Any instant of the week to brief. */
  week: Date;
  /** Send it to the members by e-mail (default: yes). */
  email?: boolean;
  /** Who asked for it (the weekly job: nobody). */
  actorUserId: string | null;
}

/**
 * Generates (or regenerates) the briefing of a week, stores it, and e-mails the PDF to the
 * recipients through the organization's SMTP server. A failed e-mail is kept with its reason on
 * the briefing; the briefing itself stays.
 */
export async function generateBriefing(deps: BriefingDeps, props: GenerateBriefingProps) {
  const weekStart = startOfWeek(props.week);
  const content = await buildBriefingContent(deps.db, {
    organizationId: props.organizationId,
    departmentId: props.departmentId,
    week: weekStart,
  });
  const stored = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(briefing)
      .values({
        organizationId: props.organizationId,
        departmentId: props.departmentId,
        weekStart,
        content,
      })
      .onConflictDoUpdate({
        target: [briefing.organizationId, briefing.departmentId, briefing.weekStart],
        set: { content, generatedAt: new Date() },
      })
      .returning();
    await recordAudit(
      tx,
      { organizationId: props.organizationId, userId: props.actorUserId },
      {
        action: "briefing.generated",
        entityType: "briefing",
        entityId: row!.id,
        details: { departmentId: props.departmentId, weekStart: weekStart.toISOString() },
      },
    );
    return row!;
  });
  if (props.email === false) return stored;
  return emailBriefing(deps, stored);
}

async function emailBriefing(deps: BriefingDeps, stored: typeof briefing.$inferSelect) {
  const to = await recipients(deps.db, stored.organizationId, stored.departmentId);
  let emailError: string | null = null;
  if (to.length > 0) {
    const [smtp] = await deps.db
      .select()
      .from(smtpSettings)
      .where(eq(smtpSettings.organizationId, stored.organizationId));
    try {
      if (!smtp) throw new Error("no SMTP server is set up for this organization (Settings → E-mail)");
      const { title, subtitle, sections } = briefingSections(stored.content);
      const link = `${deps.baseUrl}/reports/briefings/${stored.id}`;
      const text = [
        title,
        subtitle,
        "",
        ...sections.flatMap((s) => [s.heading, ...s.lines.map((l) => `  ${l}`), ""]),
        link,
      ].join("\n");
      await sendMail(
        {
          ...smtp,
          password: smtp.passwordEncrypted ? decryptSecret(deps.secretsKey, smtp.passwordEncrypted) : null,
        },
        {
          to,
          subject: `[Konversa] ${title} · ${stored.weekStart.toISOString().slice(0, 10)}`,
          text,
          attachments: [
            {
              filename: `briefing-${stored.weekStart.toISOString().slice(0, 10)}.pdf`,
              content: await briefingPdf(stored.content),
              contentType: "application/pdf",
            },
          ],
        },
      );
    } catch (error) {
      emailError = error instanceof Error ? error.message : String(error);
    }
  }
  const [updated] = await deps.db
    .update(briefing)
    .set({
      emailedTo: emailError ? 0 : to.length,
      emailedAt: emailError || to.length === 0 ? null : new Date(),
      emailError,
    })
    .where(eq(briefing.id, stored.id))
    .returning();
  return updated!;
}

/**
 * The weekly job: once a week has ended, every department and the organization as a whole get
 * their briefing of it, generated and e-mailed once (the unique key of `briefing` decides which
 * process does it when several run the job).
 */
export async function sendDueBriefings(deps: BriefingDeps, now: Date) {
  const lastWeek = addInterval("week", startOfWeek(now), -1);
  const organizations = await deps.db.select({ id: organization.id }).from(organization);
  let generated = 0;
  for (const org of organizations) {
    const departments = await deps.db
      .select({ id: department.id })
      .from(department)
      .where(eq(department.organizationId, org.id));
    for (const departmentId of [null, ...departments.map((d) => d.id)]) {
      const [existing] = await deps.db
        .select({ id: briefing.id })
        .from(briefing)
        .where(
          and(
            eq(briefing.organizationId, org.id),
            departmentId ? eq(briefing.departmentId, departmentId) : isNull(briefing.departmentId),
            eq(briefing.weekStart, lastWeek),
          ),
        );
      if (existing) continue;
      // Claim the week first, so only one process builds and mails it.
      const content = await buildBriefingContent(deps.db, {
        organizationId: org.id,
        departmentId,
        week: lastWeek,
      });
      const [claimed] = await deps.db
        .insert(briefing)
        .values({ organizationId: org.id, departmentId, weekStart: lastWeek, content })
        .onConflictDoNothing()
        .returning();
      if (!claimed) continue;
      await recordAudit(
        deps.db,
        { organizationId: org.id, userId: null },
        {
          action: "briefing.generated",
          entityType: "briefing",
          entityId: claimed.id,
          details: { departmentId, weekStart: lastWeek.toISOString(), by: "weekly_job" },
        },
      );
      await emailBriefing(deps, claimed);
      generated += 1;
    }
  }
  return { generated };
}
