import { and, eq } from "drizzle-orm";
import { type WebchatSettings, webchatSettingsSchema } from "../../connectors/webchat/webchatConnector.js";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { channelAccount } from "../channels/schema.js";
import { channel } from "../conversations/schema.js";
import { countAgentsOnline } from "../realtime/agentPresence.js";
import { isOpenAt } from "../sla/businessTime.js";
import { businessHours } from "../sla/schema.js";

export interface WebchatChannel {
  channelId: string;
  organizationId: string;
  name: string;
  accountId: string;
  settings: WebchatSettings;
}

/** A web chat channel by its public id (the one in the snippet), or 404 for anything else. */
export async function findWebchatChannel(db: DbOrTx, channelId: string): Promise<WebchatChannel> {
  const [row] = await db
    .select({ account: channelAccount, name: channel.name })
    .from(channelAccount)
    .innerJoin(channel, eq(channel.id, channelAccount.channelId))
    .where(and(eq(channelAccount.channelId, channelId), eq(channelAccount.network, "webchat")));
  if (!row) throw new NotFoundError("The web chat");
  return {
    channelId: row.account.channelId,
    organizationId: row.account.organizationId,
    name: row.name,
    accountId: row.account.id,
    settings: webchatSettingsSchema.parse(row.account.settings),
  };
}

/**
 * The website asking (its Origin, or the origin of its Referer for a plain `<script>` tag) must be
 * one the admins allowed; a request that names no website is refused too.
 */
export function assertAllowedOrigin(chat: WebchatChannel, origin: string | undefined) {
  if (origin && chat.settings.allowedOrigins.includes(origin)) return origin;
  throw new ForbiddenError(
    origin
      ? `The web chat may not be embedded on ${origin}; an admin can add it to the channel's allowed origins.`
      : "The web chat needs to know the embedding website (Origin or Referer header); none was sent.",
  );
}

/** Someone can answer now: a member has the inbox open and it is within the chat's business hours. */
export async function isChatOnline(db: DbOrTx, chat: WebchatChannel, at: Date): Promise<boolean> {
  if (chat.settings.businessHoursId) {
    const [hours] = await db
      .select()
      .from(businessHours)
      .where(
        and(
          eq(businessHours.organizationId, chat.organizationId),
          eq(businessHours.id, chat.settings.businessHoursId),
        ),
      );
    if (hours && !isOpenAt(at, hours)) return false;
  }
  return (await countAgentsOnline(db, chat.organizationId, at)) > 0;
}

/** The `<script>` tag an admin pastes into the website. */
export function webchatSnippet(baseUrl: string, channelId: string) {
  return `<script src="${new URL(`/widget/${channelId}.js`, baseUrl).href}" async></script>`;
}

/** Settings → Channels: a web chat's settings with the snippet to embed it. */
export async function getWebchatSettings(
  db: Db,
  ctx: OrgContext,
  props: { channelId: string; baseUrl: string },
) {
  const chat = await findWebchatChannel(db, props.channelId);
  if (chat.organizationId !== ctx.organizationId) throw new NotFoundError("The web chat");
  return {
    channelId: chat.channelId,
    name: chat.name,
    settings: chat.settings,
    snippet: webchatSnippet(props.baseUrl, chat.channelId),
  };
}

/** Changes a web chat's settings (allowed origins, privacy text, greeting, colour, hours), audited. */
export async function updateWebchatSettings(
  db: Db,
  ctx: OrgContext,
  props: { channelId: string; baseUrl: string; changes: Partial<Record<keyof WebchatSettings, unknown>> },
) {
  const chat = await findWebchatChannel(db, props.channelId);
  if (chat.organizationId !== ctx.organizationId) throw new NotFoundError("The web chat");
  const parsed = webchatSettingsSchema.safeParse({ ...chat.settings, ...props.changes });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`The web chat setting "${issue.path.join(".")}" ${issue.message}.`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  const settings = parsed.data;
  if (settings.businessHoursId) {
    const [hours] = await db
      .select({ id: businessHours.id })
      .from(businessHours)
      .where(
        and(
          eq(businessHours.organizationId, ctx.organizationId),
          eq(businessHours.id, settings.businessHoursId),
        ),
      );
    if (!hours) throw new ValidationError("Those business hours do not exist in this organization.");
  }
  await db.transaction(async (tx) => {
    await tx.update(channelAccount).set({ settings }).where(eq(channelAccount.id, chat.accountId));
    await recordAudit(tx, ctx, {
      action: "webchat.settings_changed",
      entityType: "channel",
      entityId: chat.channelId,
      details: { changed: Object.keys(props.changes) },
    });
  });
  return {
    channelId: chat.channelId,
    name: chat.name,
    settings,
    snippet: webchatSnippet(props.baseUrl, chat.channelId),
  };
}
