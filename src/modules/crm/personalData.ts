import { and, eq, ilike, inArray, or } from "drizzle-orm";
import type { DbOrTx } from "../../platform/db/client.js";
import { enqueueContactEvent } from "./contactEvents.js";
import { contactWebhookDelivery, crmImport, crmImportChunk } from "./schema.js";

/** The outbox rows about one contact (events not yet delivered carry its id), for export and erasure. */
export async function findContactOutbox(db: DbOrTx, organizationId: string, contactId: string) {
  return db
    .select()
    .from(contactWebhookDelivery)
    .where(
      and(
        eq(contactWebhookDelivery.organizationId, organizationId),
        eq(contactWebhookDelivery.contactId, contactId),
      ),
    );
}

/**
 * The CRM side of an erasure, in the erasure's transaction: events about the person that were not
 * delivered are dropped, and the connected CRMs are told to erase the record too (GDPR Art. 19) with
 * a `contact.deleted` event that carries only the id and forgets it once delivered. An uploaded
 * import that was not run yet and names the person is discarded whole.
 */
export async function eraseContactFromCrm(
  tx: DbOrTx,
  props: { organizationId: string; contactId: string; identifiers: string[]; at: Date },
) {
  await tx
    .delete(contactWebhookDelivery)
    .where(
      and(
        eq(contactWebhookDelivery.organizationId, props.organizationId),
        eq(contactWebhookDelivery.contactId, props.contactId),
      ),
    );
  await enqueueContactEvent(tx, {
    organizationId: props.organizationId,
    event: "contact.deleted",
    contactId: props.contactId,
    details: { reason: "erasure" },
    at: props.at,
  });
  if (props.identifiers.length === 0) return { discardedUploads: 0 };
  const uploads = await tx
    .selectDistinct({ id: crmImport.id })
    .from(crmImport)
    .innerJoin(crmImportChunk, eq(crmImportChunk.importId, crmImport.id))
    .where(
      and(
        eq(crmImport.organizationId, props.organizationId),
        inArray(crmImport.status, ["uploading", "uploaded"]),
        or(
          ...props.identifiers.map((v) =>
            ilike(crmImportChunk.data, `%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
          ),
        ),
      ),
    );
  if (uploads.length === 0) return { discardedUploads: 0 };
  const ids = uploads.map((u) => u.id);
  await tx.delete(crmImportChunk).where(inArray(crmImportChunk.importId, ids));
  await tx
    .update(crmImport)
    .set({
      status: "failed",
      error:
        "The upload named a person whose data was erased; it was discarded. Upload the file again without them.",
      finishedAt: props.at,
    })
    .where(inArray(crmImport.id, ids));
  return { discardedUploads: ids.length };
}
