import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../platform/db/client.js";
import { ForbiddenError, NotFoundError } from "../../platform/errors.js";
import { type DataUseMode, organization } from "../organizations/schema.js";

/** What each mode allows; the code asks here, nowhere else. */
export const modeAllows: Record<DataUseMode, { enrichment: boolean; audienceExport: boolean }> = {
  full: { enrichment: true, audienceExport: true },
  linked: { enrichment: false, audienceExport: true },
  none: { enrichment: false, audienceExport: false },
};

export async function dataUseModeOf(db: DbOrTx, organizationId: string): Promise<DataUseMode> {
  const [org] = await db
    .select({ mode: organization.dataUseMode })
    .from(organization)
    .where(eq(organization.id, organizationId))
    .limit(1);
  if (!org) throw new NotFoundError("The organization");
  return org.mode;
}

/** Refuses with a sentence that names the mode and how to change it. */
export async function requireModeAllows(
  db: DbOrTx,
  organizationId: string,
  what: keyof (typeof modeAllows)["full"],
) {
  const mode = await dataUseModeOf(db, organizationId);
  if (modeAllows[mode][what]) return mode;
  const label = what === "enrichment" ? "Profile enrichment" : "Audience export";
  const needed = what === "enrichment" ? '"full"' : '"linked" or "full"';
  throw new ForbiddenError(
    `${label} is switched off: this organization's data-use mode is "${mode}". An owner or admin can change it to ${needed} under Settings → Privacy.`,
  );
}
