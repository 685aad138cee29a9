import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { pseudonymOf } from "../../platform/crypto/pseudonyms.js";
import { decryptSecret, encryptSecret } from "../../platform/crypto/secrets.js";
import type { DbOrTx } from "../../platform/db/client.js";
import type { DataUseMode } from "../organizations/schema.js";
import { pseudonymKey } from "./schema.js";

/**
 * The organization's pseudonym key, created on first use (32 random bytes, stored encrypted with
 * the installation's secrets key so a database dump alone cannot re-identify anybody).
 */
export async function organizationPseudonymKey(
  db: DbOrTx,
  props: { organizationId: string; secretsKey: Buffer },
): Promise<Buffer> {
  const read = async () =>
    (await db.select().from(pseudonymKey).where(eq(pseudonymKey.organizationId, props.organizationId)))[0];
  let stored = await read();
  if (!stored) {
    const fresh = randomBytes(32).toString("hex");
    await db
      .insert(pseudonymKey)
      .values({ organizationId: props.organizationId, keyEncrypted: encryptSecret(props.secretsKey, fresh) })
      .onConflictDoNothing();
    stored = await read();
  }
  return Buffer.from(decryptSecret(props.secretsKey, stored!.keyEncrypted), "hex");
}

/** Whether authors who are not linked contacts are shown under a pseudonym in this mode. */
export function pseudonymisesAuthors(mode: DataUseMode): boolean {
  return mode !== "full";
}

/**
 * Shows unlinked authors under their keyed pseudonym (no display name) when the mode requires it;
 * linked contacts and every author in mode `full` keep their handle.
 */
export function pseudonymiseAuthors<
  T extends { network: string; handle: string; displayName: string | null; contactId: string | null },
>(rows: T[], props: { mode: DataUseMode; key: Buffer }): Array<T & { pseudonymised: boolean }> {
  return rows.map((row) =>
    pseudonymisesAuthors(props.mode) && !row.contactId
      ? isPseudonym(row.handle)
        ? { ...row, displayName: null, pseudonymised: true }
        : {
            ...row,
            handle: pseudonymOf(props.key, row.network, row.handle),
            displayName: null,
            pseudonymised: true,
          }
      : { ...row, pseudonymised: isPseudonym(row.handle) },
  );
}

/** Whether a stored handle is a pseudonym already (retention replaced the readable handle). */
export function isPseudonym(handle: string): boolean {
  return /^author-[0-9a-f]{16}$/.test(handle);
}
