import { and, desc, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { getContact } from "./contacts.js";
import { contactNote } from "./schema.js";

export async function listContactNotes(db: DbOrTx, ctx: OrgContext, contactId: string) {
  await getContact(db, ctx, contactId);
  return db
    .select()
    .from(contactNote)
    .where(and(eq(contactNote.organizationId, ctx.organizationId), eq(contactNote.contactId, contactId)))
    .orderBy(desc(contactNote.createdAt), desc(contactNote.id));
}

/** A note on the contact; the audit entry keeps the note's id, not its words. */
export async function writeContactNote(db: Db, ctx: OrgContext, props: { contactId: string; body: string }) {
  const body = props.body.trim();
  if (!body) throw new ValidationError("A note needs some text.");
  return db.transaction(async (tx) => {
    await getContact(tx, ctx, props.contactId);
    const [row] = await tx
      .insert(contactNote)
      .values({
        organizationId: ctx.organizationId,
        contactId: props.contactId,
        authorUserId: ctx.userId,
        body,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "contact.note_written",
      entityType: "contact",
      entityId: props.contactId,
      details: { noteId: row!.id },
    });
    return row!;
  });
}

export async function deleteContactNote(
  db: Db,
  ctx: OrgContext,
  props: { contactId: string; noteId: string },
) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(contactNote)
      .where(
        and(
          eq(contactNote.organizationId, ctx.organizationId),
          eq(contactNote.contactId, props.contactId),
          eq(contactNote.id, props.noteId),
        ),
      )
      .returning({ id: contactNote.id });
    if (!row) throw new NotFoundError("The note");
    await recordAudit(tx, ctx, {
      action: "contact.note_deleted",
      entityType: "contact",
      entityId: props.contactId,
      details: { noteId: props.noteId },
    });
  });
}
