import { and, asc, eq } from "drizzle-orm";
import type { ConnectedAccount, Connector } from "../../connectors/connector.js";
import { describeError } from "../../connectors/connector.js";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Clock } from "../../platform/clock.js";
import { decryptSecret, encryptSecret } from "../../platform/crypto/secrets.js";
import type { Db } from "../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { type ChannelType, channel } from "../conversations/schema.js";
import { channelAccount } from "./schema.js";

/** What the channel use cases need: storage, time, the key for credentials, and the connectors by network. */
export interface ChannelDeps {
  db: Db;
  clock: Clock;
  secretsKey: Buffer;
  connectors: Record<string, Connector<unknown, unknown>>;
}

export interface ChannelAccountInput {
  /** The connector: `mastodon`, `rss`, `webhook`, `log`. */
  network: string;
  /** The channel's name in the inbox. */
  name: string;
  /** Conversations are private (direct messages); default: the connector's default. */
  isPrivate?: boolean;
  settings: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

export type ChannelAccountRow = typeof channelAccount.$inferSelect;

export function connectorFor(deps: Pick<ChannelDeps, "connectors">, network: string) {
  const connector = deps.connectors[network];
  if (!connector) {
    throw new ValidationError(
      `There is no connector for "${network}"; use one of ${Object.keys(deps.connectors).join(", ")}.`,
    );
  }
  return connector;
}

/** Checks settings and credentials against the connector's schemas, then asks the network. */
async function checkWithNetwork(
  deps: ChannelDeps,
  organizationId: string,
  input: Omit<ChannelAccountInput, "name">,
) {
  const connector = connectorFor(deps, input.network);
  const settings = connector.account.settingsSchema.safeParse(input.settings);
  const credentials = connector.account.credentialsSchema.safeParse(input.credentials);
  const issues = [
    ...(settings.success
      ? []
      : settings.error.issues.map((i) => `settings.${i.path.join(".")} ${i.message}`)),
    ...(credentials.success
      ? []
      : credentials.error.issues.map((i) => `credentials.${i.path.join(".")} ${i.message}`)),
  ];
  if (issues.length > 0 || !settings.success || !credentials.success) {
    throw new ValidationError(`The ${input.network} account settings are not valid: ${issues.join("; ")}.`, {
      issues,
    });
  }
  try {
    const checked = await connector.account.validate({
      channelId: "00000000-0000-0000-0000-000000000000",
      organizationId,
      settings: settings.data,
      credentials: credentials.data,
    });
    return {
      connector,
      settings: settings.data,
      credentials: credentials.data,
      displayName: checked.displayName,
    };
  } catch (error) {
    throw new ValidationError(`The network refused the account: ${describeError(error)}`, {
      networkError: describeError(error),
    });
  }
}

/** Dry run of `createChannelAccount`: the same checks, nothing stored. */
export async function validateChannelAccount(
  deps: ChannelDeps,
  ctx: OrgContext,
  input: Omit<ChannelAccountInput, "name">,
) {
  const checked = await checkWithNetwork(deps, ctx.organizationId, input);
  return { ok: true as const, displayName: checked.displayName ?? null };
}

/**
 * Connects an account: validated with the network first, then the channel and its account are
 * stored (credentials encrypted) with the audit entry, in one transaction.
 */
export async function createChannelAccount(deps: ChannelDeps, ctx: OrgContext, input: ChannelAccountInput) {
  const name = input.name.trim();
  if (!name) throw new ValidationError("A channel needs a name.");
  const checked = await checkWithNetwork(deps, ctx.organizationId, input);
  const now = deps.clock.now();
  const created = await deps.db.transaction(async (tx) => {
    const [newChannel] = await tx
      .insert(channel)
      .values({
        organizationId: ctx.organizationId,
        type: input.network as ChannelType,
        name,
        isPrivate: input.isPrivate ?? checked.connector.isPrivateByDefault,
      })
      .returning();
    const [account] = await tx
      .insert(channelAccount)
      .values({
        organizationId: ctx.organizationId,
        channelId: newChannel!.id,
        network: input.network,
        displayName: checked.displayName ?? null,
        settings: checked.settings as Record<string, unknown>,
        credentials: encryptSecret(deps.secretsKey, JSON.stringify(checked.credentials)),
        health: "healthy",
        lastCheckedAt: now,
        nextPollAt: now,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "channel_account.created",
      entityType: "channel_account",
      entityId: account!.id,
      details: { network: input.network, channelId: newChannel!.id },
    });
    return { account: account!, channel: newChannel! };
  });
  return presentAccount({
    ...created.account,
    channelName: created.channel.name,
    isPrivate: created.channel.isPrivate,
  });
}

export async function listChannelAccounts(db: Db, ctx: OrgContext) {
  const rows = await db
    .select({ account: channelAccount, channelName: channel.name, isPrivate: channel.isPrivate })
    .from(channelAccount)
    .innerJoin(channel, eq(channel.id, channelAccount.channelId))
    .where(eq(channelAccount.organizationId, ctx.organizationId))
    .orderBy(asc(channelAccount.createdAt), asc(channelAccount.id));
  return rows.map((r) =>
    presentAccount({ ...r.account, channelName: r.channelName, isPrivate: r.isPrivate }),
  );
}

/**
 * Disconnects an account: its credentials and cursor are deleted; the channel and its conversations
 * stay (history is kept), but nothing is received or sent on it any more.
 */
export async function deleteChannelAccount(deps: Pick<ChannelDeps, "db">, ctx: OrgContext, id: string) {
  await deps.db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(channelAccount)
      .where(and(eq(channelAccount.organizationId, ctx.organizationId), eq(channelAccount.id, id)))
      .returning({
        id: channelAccount.id,
        network: channelAccount.network,
        channelId: channelAccount.channelId,
      });
    if (!deleted) throw new NotFoundError("The channel account");
    await recordAudit(tx, ctx, {
      action: "channel_account.deleted",
      entityType: "channel_account",
      entityId: deleted.id,
      details: { network: deleted.network, channelId: deleted.channelId },
    });
  });
}

/** Asks the network again whether a stored account works, and records its health. */
export async function checkChannelAccount(deps: ChannelDeps, ctx: OrgContext, id: string) {
  const [row] = await deps.db
    .select()
    .from(channelAccount)
    .where(and(eq(channelAccount.organizationId, ctx.organizationId), eq(channelAccount.id, id)));
  if (!row) throw new NotFoundError("The channel account");
  const connector = connectorFor(deps, row.network);
  let error: string | null = null;
  try {
    await connector.account.validate(openAccount(deps, row));
  } catch (caught) {
    error = describeError(caught);
  }
  await recordHealth(deps, row.id, error);
  const [channelRow] = await deps.db.select().from(channel).where(eq(channel.id, row.channelId));
  const [updated] = await deps.db.select().from(channelAccount).where(eq(channelAccount.id, row.id));
  return presentAccount({ ...updated!, channelName: channelRow!.name, isPrivate: channelRow!.isPrivate });
}

/** Records the outcome of a check or poll: healthy, or failing with the network's message. */
export async function recordHealth(
  deps: Pick<ChannelDeps, "db" | "clock">,
  accountId: string,
  error: string | null,
) {
  await deps.db
    .update(channelAccount)
    .set({ health: error ? "failing" : "healthy", lastError: error, lastCheckedAt: deps.clock.now() })
    .where(eq(channelAccount.id, accountId));
}

/** The stored account with its credentials decrypted, as the connector takes it. */
export function openAccount(
  deps: Pick<ChannelDeps, "secretsKey">,
  row: ChannelAccountRow,
): ConnectedAccount<unknown, unknown> {
  return {
    channelId: row.channelId,
    organizationId: row.organizationId,
    settings: row.settings,
    credentials: JSON.parse(decryptSecret(deps.secretsKey, row.credentials)) as unknown,
  };
}

function presentAccount(row: ChannelAccountRow & { channelName: string; isPrivate: boolean }) {
  return {
    id: row.id,
    channelId: row.channelId,
    network: row.network,
    name: row.channelName,
    isPrivate: row.isPrivate,
    displayName: row.displayName,
    settings: row.settings,
    health: row.health,
    lastError: row.lastError,
    lastCheckedAt: row.lastCheckedAt,
    rateLimit: row.rateLimit ?? null,
    createdAt: row.createdAt,
  };
}
