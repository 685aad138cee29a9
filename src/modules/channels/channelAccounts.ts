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
import { allowedHostsFor } from "./allowedPrivateHosts.js";
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
  props: { channelId?: string } = {},
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
      channelId: props.channelId ?? "00000000-0000-0000-0000-000000000000",
      organizationId,
      settings: settings.data,
      credentials: credentials.data,
      allowedHosts: await allowedHostsFor(deps.db, organizationId),
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
  const row = await findAccount(deps.db, ctx, id);
  const connector = connectorFor(deps, row.network);
  let error: string | null = null;
  try {
    await connector.account.validate(await openAccount(deps, row));
  } catch (caught) {
    error = describeError(caught);
  }
  await recordHealth(deps, row.id, error);
  if (!error && row.failureCount > 0) {
    // It works again: poll now instead of waiting out the backoff.
    await deps.db
      .update(channelAccount)
      .set({ failureCount: 0, nextPollAt: deps.clock.now() })
      .where(eq(channelAccount.id, row.id));
  }
  return presentOne(deps.db, row.id);
}

async function findAccount(db: Db, ctx: OrgContext, id: string) {
  const [row] = await db
    .select()
    .from(channelAccount)
    .where(and(eq(channelAccount.organizationId, ctx.organizationId), eq(channelAccount.id, id)));
  if (!row) throw new NotFoundError("The channel account");
  return row;
}

async function presentOne(db: Db, accountId: string) {
  const [row] = await db
    .select({ account: channelAccount, channelName: channel.name, isPrivate: channel.isPrivate })
    .from(channelAccount)
    .innerJoin(channel, eq(channel.id, channelAccount.channelId))
    .where(eq(channelAccount.id, accountId));
  return presentAccount({ ...row!.account, channelName: row!.channelName, isPrivate: row!.isPrivate });
}

export interface ChannelAccountChange {
  /** The channel's name in the inbox. */
  name?: string;
  /** New settings, complete (what the form shows); checked with the network before they are saved. */
  settings?: Record<string, unknown>;
}

/**
 * Changes an account's name or settings (e.g. a feed's poll interval). New settings are checked
 * with the network, with the stored credentials, before they replace the old ones; audited.
 */
export async function updateChannelAccount(
  deps: ChannelDeps,
  ctx: OrgContext,
  id: string,
  change: ChannelAccountChange,
) {
  const row = await findAccount(deps.db, ctx, id);
  const name = change.name?.trim();
  if (change.name !== undefined && !name) throw new ValidationError("A channel needs a name.");
  const checked = change.settings
    ? await checkWithNetwork(
        deps,
        ctx.organizationId,
        {
          network: row.network,
          settings: change.settings,
          credentials: JSON.parse(decryptSecret(deps.secretsKey, row.credentials)) as Record<string, unknown>,
        },
        { channelId: row.channelId },
      )
    : undefined;
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    if (name) await tx.update(channel).set({ name }).where(eq(channel.id, row.channelId));
    if (checked) {
      await tx
        .update(channelAccount)
        .set({
          settings: checked.settings as Record<string, unknown>,
          ...workingAgain(now, checked.displayName ?? row.displayName),
        })
        .where(eq(channelAccount.id, row.id));
    }
    await recordAudit(tx, ctx, {
      action: "channel_account.updated",
      entityType: "channel_account",
      entityId: row.id,
      details: { network: row.network, fields: Object.keys(change.settings ?? {}), renamed: Boolean(name) },
    });
  });
  return presentOne(deps.db, row.id);
}

/** The network just accepted the account: healthy, no backoff, polled right away. */
function workingAgain(now: Date, displayName: string | null) {
  return {
    displayName,
    health: "healthy" as const,
    lastError: null,
    lastCheckedAt: now,
    failureCount: 0,
    nextPollAt: now,
  };
}

/**
 * Replaces an account's credentials (a new token, a rotated secret): checked with the network
 * first, then stored encrypted; the old ones are gone. Audited without the secret.
 */
export async function rotateChannelCredentials(
  deps: ChannelDeps,
  ctx: OrgContext,
  id: string,
  credentials: Record<string, unknown>,
) {
  const row = await findAccount(deps.db, ctx, id);
  const checked = await checkWithNetwork(
    deps,
    ctx.organizationId,
    { network: row.network, settings: row.settings, credentials },
    { channelId: row.channelId },
  );
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .update(channelAccount)
      .set({
        credentials: encryptSecret(deps.secretsKey, JSON.stringify(checked.credentials)),
        ...workingAgain(now, checked.displayName ?? row.displayName),
      })
      .where(eq(channelAccount.id, row.id));
    await recordAudit(tx, ctx, {
      action: "channel_account.credentials_rotated",
      entityType: "channel_account",
      entityId: row.id,
      details: { network: row.network },
    });
  });
  return presentOne(deps.db, row.id);
}

/** Pauses (no polls) or resumes (polled right away) an account; audited. */
export async function setChannelAccountPaused(
  deps: Pick<ChannelDeps, "db" | "clock">,
  ctx: OrgContext,
  id: string,
  paused: boolean,
) {
  const row = await findAccount(deps.db, ctx, id);
  const now = deps.clock.now();
  if (Boolean(row.pausedAt) !== paused) {
    await deps.db.transaction(async (tx) => {
      await tx
        .update(channelAccount)
        .set(paused ? { pausedAt: now } : { pausedAt: null, failureCount: 0, nextPollAt: now })
        .where(eq(channelAccount.id, row.id));
      await recordAudit(tx, ctx, {
        action: paused ? "channel_account.paused" : "channel_account.resumed",
        entityType: "channel_account",
        entityId: row.id,
        details: { network: row.network },
      });
    });
  }
  return presentOne(deps.db, row.id);
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

/** The stored account with its credentials decrypted and the organization's allowed hosts, as the connector takes it. */
export async function openAccount(
  deps: Pick<ChannelDeps, "secretsKey" | "db">,
  row: ChannelAccountRow,
): Promise<ConnectedAccount<unknown, unknown>> {
  return {
    channelId: row.channelId,
    organizationId: row.organizationId,
    settings: row.settings,
    credentials: JSON.parse(decryptSecret(deps.secretsKey, row.credentials)) as unknown,
    allowedHosts: await allowedHostsFor(deps.db, row.organizationId),
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
    lastPolledAt: row.lastPolledAt,
    nextPollAt: row.nextPollAt,
    failureCount: row.failureCount,
    pausedAt: row.pausedAt,
    rateLimit: row.rateLimit ?? null,
    createdAt: row.createdAt,
  };
}
