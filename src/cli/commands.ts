import { eq } from "drizzle-orm";
import { connectors } from "../connectors/registry.js";
import { demoBrand } from "../modules/demo/demoContent.js";
import { ensureDemoOrganization, generatePassword, loadDemoData } from "../modules/demo/demoLoader.js";
import { demoHistory, demoQueries } from "../modules/demo/listeningDemo.js";
import { saveAlertRule } from "../modules/listening/alerts/alertRules.js";
import { createQuery } from "../modules/listening/queries.js";
import { addMember } from "../modules/organizations/members.js";
import { createOrganization } from "../modules/organizations/organizationCreator.js";
import { organization } from "../modules/organizations/schema.js";
import { createUser, findUserByEmail } from "../modules/organizations/userCreator.js";
import { startConnectorWorkers } from "../pipeline/connectorWorkers.js";
import { startHousekeeping } from "../pipeline/housekeeping.js";
import { analyzePost } from "../pipeline/postAnalyzer.js";
import { ingestPosts } from "../pipeline/postIngester.js";
import { createQueryMatcher } from "../pipeline/queryMatcher.js";
import { createIngestGateway, startPipeline } from "../pipeline/runtime.js";
import type { Role } from "../platform/auth/roles.js";
import { systemClock } from "../platform/clock.js";
import { type Config, loadConfig } from "../platform/config/config.js";
import { deriveKey, loadOrCreateMasterKey } from "../platform/crypto/secrets.js";
import { type Database, openDatabase, redactUrl } from "../platform/db/client.js";
import { runMigrations } from "../platform/db/migrate.js";
import { NotFoundError, ValidationError } from "../platform/errors.js";
import { buildApp, createConfiguredBus, listen } from "../server.js";
import { progress } from "./output.js";

/** Opens the configured database and brings its schema up to date, saying what it does. */
export async function openMigratedDatabase(config: Config): Promise<Database> {
  progress(
    config.databaseUrl
      ? `Database: PostgreSQL at ${redactUrl(config.databaseUrl)}`
      : `Database: embedded PGlite in ${config.dataDir}`,
  );
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const { applied } = await runMigrations(database);
  progress(applied.length > 0 ? `Migrations applied: ${applied.join(", ")}` : "Migrations: up to date");
  return database;
}

export async function migrateCommand() {
  const config = loadConfig();
  const database = await openMigratedDatabase(config);
  await database.close();
}

/** Serves the API and web app until SIGINT/SIGTERM. `embedded` also sets up the demo on first run. */
export async function serveCommand(options: { embedded: boolean }) {
  const config = loadConfig();
  const database = await openMigratedDatabase(config);
  if (options.embedded) await bootstrapDemo(database, config);
  const [demo] = options.embedded
    ? await database.db
        .select({ id: organization.id })
        .from(organization)
        .where(eq(organization.slug, demoBrand.slug))
    : [];
  const { app } = await buildApp({
    config,
    database,
    // Embedded: the pipeline runs here. Scaled out without NATS there is nobody else to run it either.
    withPipeline: options.embedded || !config.natsUrl,
    demoOrganizationId: demo?.id,
  });
  await listen(app, config);
  console.log(`Konversa is running at ${config.baseUrl}`);
  const stop = async () => {
    progress("Stopping …");
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function bootstrapDemo(database: Database, config: Config) {
  const result = await ensureDemoOrganization(database.db, {
    adminEmail: config.adminEmail,
    adminPassword: config.adminPassword,
  });
  if (!result.created) return;
  progress("First start: creating the demo organization with a few weeks of history …");
  await loadDemoData(database.db, {
    organizationId: result.organizationId,
    actorUserId: result.userId,
    onProgress: (done, total) => progress(`  demo conversations ${done}/${total}`),
  });
  await loadListeningDemo(database, { organizationId: result.organizationId, userId: result.userId });
  console.log("\nSign in with (shown only this once):");
  console.log(`  E-mail:   ${result.email}`);
  console.log(`  Password: ${result.password ?? "(the existing account's password)"}\n`);
}

/** Listening queries, alert rules and four weeks of public posts for the demo organization. */
async function loadListeningDemo(database: Database, props: { organizationId: string; userId: string }) {
  const ctx = {
    organizationId: props.organizationId,
    userId: props.userId,
    memberId: "",
    role: "owner" as const,
    departmentIds: [],
  };
  const queries = [];
  for (const query of demoQueries) queries.push(await createQuery(database.db, ctx, query));
  const secretsKey = Buffer.alloc(32);
  await saveAlertRule(database.db, ctx, {
    input: {
      name: "Shitstorm-Frühwarnung",
      type: "storm",
      queryId: queries[0]!.id,
      config: { minCount: 15, minShare: 0.5 },
      cooldownMinutes: 60,
    },
    secretsKey,
  });
  await saveAlertRule(database.db, ctx, {
    input: { name: "Ungewöhnlich viele Erwähnungen", type: "volume_spike", queryId: queries[0]!.id },
    secretsKey,
  });
  const posts = demoHistory({ weeks: 4 });
  const matcher = createQueryMatcher(database.db);
  for (let i = 0; i < posts.length; i += 500) {
    await ingestPosts(
      database.db,
      posts.slice(i, i + 500).map((post) => ({ organizationId: props.organizationId, post })),
      { analyze: analyzePost, matchQueries: (org, post, analysis) => matcher.match(org, post, analysis) },
    );
    progress(`  demo mentions ${Math.min(i + 500, posts.length)}/${posts.length}`);
  }
}

/**
 * The scaled-out worker: runs the pipeline stages against the bus. Start several; each message is
 * handled by one of them, and a stopped worker's unfinished messages go to another.
 */
export async function workerCommand() {
  const config = loadConfig();
  const database = await openMigratedDatabase(config);
  const masterKey = loadOrCreateMasterKey({ configured: config.secretKey, dataDir: config.dataDir });
  const bus = await createConfiguredBus(config, database.db);
  const pipeline = await startPipeline({
    db: database.db,
    bus,
    secretsKey: deriveKey(masterKey, "secrets"),
    baseUrl: config.baseUrl,
  });
  const gateway = createIngestGateway(bus);
  const connectorWorkers = startConnectorWorkers({
    db: database.db,
    clock: systemClock,
    secretsKey: deriveKey(masterKey, "secrets"),
    connectors,
    bus,
    submitPosts: gateway.submitPosts,
  });
  const housekeeping = startHousekeeping({
    db: database.db,
    clock: systemClock,
    secretsKey: deriveKey(masterKey, "secrets"),
  });
  progress(
    `Worker ready (bus: ${bus.kind === "nats" ? "NATS JetStream" : "in-process"}; replies and polls of connected channels; daily retention and contact webhooks).`,
  );
  const stop = async () => {
    progress("Stopping the worker after the batch in hand …");
    await connectorWorkers.stop();
    await housekeeping.stop();
    await pipeline.stop();
    await bus.close();
    await database.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

export interface CreateUserCommandOptions {
  email: string;
  org: string;
  role: Role;
  name?: string;
  password?: string;
}

/** Creates a person in an organization (by short name); creates the organization for an owner. */
export async function userCreateCommand(options: CreateUserCommandOptions) {
  const config = loadConfig();
  const database = await openMigratedDatabase(config);
  try {
    const db = database.db;
    const password = options.password ?? generatePassword();
    const existing = await findUserByEmail(db, options.email);
    const userId =
      existing?.id ??
      (await createUser(db, { email: options.email, name: options.name ?? options.email, password })).id;
    const [org] = await db.select().from(organization).where(eq(organization.slug, options.org));
    if (!org) {
      if (options.role !== "owner") {
        throw new NotFoundError(`The organization "${options.org}" (use --role owner to create it)`);
      }
      await createOrganization(db, { name: options.org, slug: options.org, ownerUserId: userId });
    } else {
      await addMember(
        db,
        { organizationId: org.id, userId },
        { userId, role: options.role, departmentIds: [] },
      );
    }
    console.log(`Created ${options.email} as ${options.role} in ${options.org}.`);
    if (!existing && !options.password) console.log(`Password (shown once): ${password}`);
  } finally {
    await database.close();
  }
}

export async function demoCommand(options: { org: string; conversations: number }) {
  const config = loadConfig();
  const database = await openMigratedDatabase(config);
  try {
    const db = database.db;
    let [org] = await db.select().from(organization).where(eq(organization.slug, options.org));
    let actorUserId: string | undefined;
    if (!org && options.org === demoBrand.slug) {
      const created = await ensureDemoOrganization(db, {
        adminEmail: config.adminEmail,
        adminPassword: config.adminPassword,
      });
      if (created.created) {
        console.log(
          `Created the demo organization; sign in as ${created.email} with password ${created.password ?? "(existing)"}`,
        );
        actorUserId = created.userId;
      }
      [org] = await db.select().from(organization).where(eq(organization.slug, options.org));
    }
    if (!org) throw new NotFoundError(`The organization "${options.org}"`);
    if (!actorUserId) {
      const { member } = await import("../modules/organizations/schema.js");
      const [owner] = await db
        .select({ userId: member.userId })
        .from(member)
        .where(eq(member.organizationId, org.id))
        .limit(1);
      if (!owner)
        throw new ValidationError(
          `The organization "${options.org}" has no members to attribute the demo data to.`,
        );
      actorUserId = owner.userId;
    }
    const result = await loadDemoData(db, {
      organizationId: org.id,
      actorUserId,
      conversations: options.conversations,
      onProgress: (done, total) => progress(`  demo conversations ${done}/${total}`),
    });
    console.log(
      result.skipped
        ? `"${options.org}" has data already; nothing loaded.`
        : `Loaded ${result.conversations} demo conversations into "${options.org}".`,
    );
  } finally {
    await database.close();
  }
}
