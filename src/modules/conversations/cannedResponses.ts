import { and, asc, eq, ilike, or } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { cannedResponse } from "./schema.js";

/**
 * Canned responses: prepared answers with a shortcut (`/refund`) and variables that are filled on
 * the server when an agent inserts one into a conversation (see cannedResponseRenderer.ts).
 */

/** The variables a canned response may use; `contact.*` are the customer's personal data. */
export const templateVariables = [
  "contact.first_name",
  "contact.name",
  "agent.name",
  "agent.first_name",
  "organization.name",
] as const;
export type TemplateVariable = (typeof templateVariables)[number];

/** `{{ contact.first_name }}` or, with a fallback for a missing value, `{{ contact.first_name | there }}`. */
export const variablePattern = /\{\{\s*([a-z_.]+)\s*(?:\|\s*([^}]*?)\s*)?\}\}/g;

/** The variables a template uses; unknown ones are refused with the list of known ones. */
export function templateVariablesIn(body: string): TemplateVariable[] {
  const used = new Set<TemplateVariable>();
  for (const match of body.matchAll(variablePattern)) {
    const name = match[1]!;
    if (!(templateVariables as readonly string[]).includes(name)) {
      throw new ValidationError(
        `"{{${name}}}" is not a variable; use one of ${templateVariables.map((v) => `{{${v}}}`).join(", ")}.`,
      );
    }
    used.add(name as TemplateVariable);
  }
  return [...used];
}

export interface CannedResponseInput {
  /** Typed after a slash in the editor: lower-case letters, digits, `-` and `_`. */
  shortcut: string;
  title: string;
  body: string;
}

export async function listCannedResponses(db: DbOrTx, ctx: OrgContext, query: { q?: string }) {
  const search = query.q
    ? or(
        ilike(cannedResponse.shortcut, `${escapeLike(query.q)}%`),
        ilike(cannedResponse.title, `%${escapeLike(query.q)}%`),
      )
    : undefined;
  return db
    .select()
    .from(cannedResponse)
    .where(and(eq(cannedResponse.organizationId, ctx.organizationId), search))
    .orderBy(asc(cannedResponse.shortcut));
}

export async function findCannedResponse(db: DbOrTx, ctx: Pick<OrgContext, "organizationId">, id: string) {
  const [found] = await db
    .select()
    .from(cannedResponse)
    .where(and(eq(cannedResponse.organizationId, ctx.organizationId), eq(cannedResponse.id, id)));
  if (!found) throw new NotFoundError("The canned response");
  return found;
}

export async function createCannedResponse(db: Db, ctx: OrgContext, input: CannedResponseInput) {
  templateVariablesIn(input.body);
  return db.transaction(async (tx) => {
    await assertShortcutFree(tx, ctx, input.shortcut);
    const [created] = await tx
      .insert(cannedResponse)
      .values({ ...input, organizationId: ctx.organizationId, createdByMemberId: ctx.memberId })
      .returning();
    await recordAudit(tx, ctx, {
      action: "canned_response.created",
      entityType: "canned_response",
      entityId: created!.id,
      details: { shortcut: input.shortcut },
    });
    return created!;
  });
}

export async function updateCannedResponse(
  db: Db,
  ctx: OrgContext,
  id: string,
  input: Partial<CannedResponseInput>,
  at: Date,
) {
  if (input.body !== undefined) templateVariablesIn(input.body);
  return db.transaction(async (tx) => {
    await findCannedResponse(tx, ctx, id);
    if (input.shortcut) await assertShortcutFree(tx, ctx, input.shortcut, id);
    const [updated] = await tx
      .update(cannedResponse)
      .set({ ...input, updatedAt: at })
      .where(eq(cannedResponse.id, id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "canned_response.updated",
      entityType: "canned_response",
      entityId: id,
      details: { fields: Object.keys(input) },
    });
    return updated!;
  });
}

export async function removeCannedResponse(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(cannedResponse)
      .where(and(eq(cannedResponse.organizationId, ctx.organizationId), eq(cannedResponse.id, id)))
      .returning({ shortcut: cannedResponse.shortcut });
    if (!removed) throw new NotFoundError("The canned response");
    await recordAudit(tx, ctx, {
      action: "canned_response.removed",
      entityType: "canned_response",
      entityId: id,
      details: { shortcut: removed.shortcut },
    });
  });
}

async function assertShortcutFree(tx: DbOrTx, ctx: OrgContext, shortcut: string, exceptId?: string) {
  const [taken] = await tx
    .select({ id: cannedResponse.id })
    .from(cannedResponse)
    .where(and(eq(cannedResponse.organizationId, ctx.organizationId), eq(cannedResponse.shortcut, shortcut)));
  if (taken && taken.id !== exceptId)
    throw new ConflictError(`The shortcut "/${shortcut}" is taken already.`);
}

function escapeLike(text: string) {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
