import path from "node:path";
import { fileURLToPath } from "node:url";
import { connectors } from "./connectors/registry.js";
import { automationRoutes } from "./modules/automation/routes.js";
import { startAccountWatchers } from "./modules/channels/accountWatcher.js";
import { pollDueAccounts } from "./modules/channels/channelPoller.js";
import { deliverDueReplies } from "./modules/channels/replyDeliverer.js";
import { channelAccountRoutes } from "./modules/channels/routes.js";
import { webhookRoutes } from "./modules/channels/webhookRoutes.js";
import { identityRoutes } from "./modules/contacts/identityRoutes.js";
import { contactRoutes } from "./modules/contacts/routes.js";
import { conversationRoutes } from "./modules/conversations/routes.js";
import { conversationWorkRoutes } from "./modules/conversations/workRoutes.js";
import { deliverContactWebhooks } from "./modules/crm/contactWebhookDeliverer.js";
import { crmRoutes } from "./modules/crm/routes.js";
import { startDemoStream } from "./modules/demo/listeningDemo.js";
import { demoRoutes } from "./modules/demo/routes.js";
import { insightRoutes } from "./modules/insights/routes.js";
import { kpiRoutes } from "./modules/kpis/routes.js";
import { alertRoutes } from "./modules/listening/alertRoutes.js";
import { mentionExportRoutes } from "./modules/listening/exportRoutes.js";
import { intelligenceRoutes } from "./modules/listening/intelligenceRoutes.js";
import { listeningRoutes } from "./modules/listening/routes.js";
import { themeRoutes } from "./modules/listening/themeRoutes.js";
import { moderationRoutes } from "./modules/moderation/routes.js";
import { notificationRoutes } from "./modules/notifications/routes.js";
import { createAccessDirectory } from "./modules/organizations/directory.js";
import { organizationRoutes } from "./modules/organizations/routes.js";
import { optInRoutes } from "./modules/privacy/optInRoutes.js";
import { privacyRoutes } from "./modules/privacy/routes.js";
import { realtimeRoutes } from "./modules/realtime/routes.js";
import { reportRoutes } from "./modules/reports/routes.js";
import { runDueRetention } from "./modules/retention/retentionSchedule.js";
import { retentionRoutes } from "./modules/retention/routes.js";
import { slaRoutes } from "./modules/sla/routes.js";
import { voiceRoutes } from "./modules/voice/routes.js";
import { webchatRoutes } from "./modules/webchat/routes.js";
import { startConnectorWorkers } from "./pipeline/connectorWorkers.js";
import { startHousekeeping } from "./pipeline/housekeeping.js";
import { startInboxTimers } from "./pipeline/inboxTimers.js";
import { startKpiJobs } from "./pipeline/kpiJobs.js";
import { createIngestGateway, startPipeline, storeDeadLetter } from "./pipeline/runtime.js";
import { createAuth } from "./platform/auth/auth.js";
import { type Bus, createBus } from "./platform/bus/index.js";
import { type Clock, systemClock } from "./platform/clock.js";
import type { Config } from "./platform/config/config.js";
import { deriveKey, loadOrCreateMasterKey } from "./platform/crypto/secrets.js";
import { type Database, openDatabase } from "./platform/db/client.js";
import { runMigrations } from "./platform/db/migrate.js";
import { StartupError } from "./platform/errors.js";
import { createHttpApp } from "./platform/http/app.js";

/**
 * The composition root: the one place that knows every module and wires them to the platform.
 * The CLI, the tests and the benchmarks all build the app through here.
 */
export interface BuildAppProps {
  config: Config;
  /** The message bus; when omitted, one is created from the configuration (NATS or in-process). */
  bus?: Bus;
  /** Also run the pipeline stages in this process (`konversa start`, tests). */
  withPipeline?: boolean;
  /** Stream generated posts into this (demo) organization, with a storm button. */
  demoOrganizationId?: string;
  /** An open database; when omitted, one is opened from the configuration and migrated. */
  database?: Database;
  /** Folder of the built web app; default: dist/web beside the program, when it exists. */
  webRoot?: string;
  /** The time as the app sees it (service-level clocks, snoozes); tests pass a manual clock. */
  clock?: Clock;
  /** Wake snoozed conversations and record service-level breaches every 30 s (default: on). */
  inboxTimers?: boolean;
  /** Refresh the KPI rollups and send the weekly briefings every 5 minutes (default: on). */
  kpiJobs?: boolean;
  /** Send due replies and poll connected accounts every 2 s (default: on; tests run them by hand). */
  connectorWorkers?: boolean;
  /** The daily retention run and the delivery of contact webhooks (default: on; tests run them by hand). */
  housekeeping?: boolean;
}

export async function buildApp(props: BuildAppProps) {
  const { config } = props;
  const database =
    props.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
  if (!props.database) await runMigrations(database);
  const masterKey = loadOrCreateMasterKey({ configured: config.secretKey, dataDir: config.dataDir });
  const auth = createAuth({
    db: database.db,
    secret: deriveKey(masterKey, "sessions").toString("hex"),
    baseUrl: config.baseUrl,
    trustedOrigins: [config.baseUrl, ...config.corsOrigins],
  });
  const directory = createAccessDirectory(database.db);
  const bus = props.bus ?? (await createConfiguredBus(config, database.db));
  const secretsKey = deriveKey(masterKey, "secrets");
  const gateway = createIngestGateway(bus);
  const app = await createHttpApp({
    database,
    auth,
    directory,
    baseUrl: config.baseUrl,
    corsOrigins: config.corsOrigins,
    loginRateLimit: config.loginRateLimit,
    logLevel: config.logLevel,
    webRoot: props.webRoot ?? defaultWebRoot(),
  });
  const db = database.db;
  const clock = props.clock ?? systemClock;
  await app.register(organizationRoutes, { db, baseUrl: config.baseUrl, directory });
  await app.register(conversationRoutes, { db, clock });
  await app.register(conversationWorkRoutes, { db, clock, bus });
  await app.register(slaRoutes, { db, clock });
  await app.register(notificationRoutes, { db, clock });
  await app.register(contactRoutes, { db });
  await app.register(privacyRoutes, { db });
  await app.register(identityRoutes, { db });
  await app.register(optInRoutes, { db, baseUrl: config.baseUrl });
  await app.register(listeningRoutes, {
    db,
    secretsKey,
    submitPosts: gateway.submitPosts,
    queriesChanged: gateway.queriesChanged,
  });
  await app.register(intelligenceRoutes, { db, queriesChanged: gateway.queriesChanged });
  await app.register(mentionExportRoutes, { db });
  await app.register(alertRoutes, {
    db,
    clock,
    secretsKey,
    requeue: (subject, data) => bus.publish(subject, data),
  });
  await app.register(themeRoutes, { db });
  await app.register(kpiRoutes, { db, clock });
  await app.register(reportRoutes, { db, clock, secretsKey, baseUrl: config.baseUrl });
  await app.register(retentionRoutes, { db, clock, secretsKey });
  await app.register(crmRoutes, { db, clock, secretsKey, log: app.log });
  await app.register(realtimeRoutes, { bus, db, clock });
  await app.register(automationRoutes, { db });
  await app.register(insightRoutes, { db, clock, bus });
  await app.register(moderationRoutes, { db, clock });
  await app.register(voiceRoutes, { db, clock, secretsKey, bus });
  const channelDeps = { db, clock, secretsKey, connectors, bus, submitPosts: gateway.submitPosts };
  await app.register(channelAccountRoutes, channelDeps);
  await app.register(webhookRoutes, channelDeps);
  await app.register(webchatRoutes, { db, clock, bus, baseUrl: config.baseUrl });
  const demoStream = props.demoOrganizationId
    ? {
        organizationId: props.demoOrganizationId,
        ...startDemoStream({ submit: (posts) => gateway.submitPosts(props.demoOrganizationId!, posts) }),
      }
    : undefined;
  await app.register(demoRoutes, { stream: demoStream });
  const pipeline = props.withPipeline
    ? await startPipeline({ db, bus, secretsKey, baseUrl: config.baseUrl, log: app.log })
    : undefined;
  // In the server process: every replica may run them, both jobs lock rows and are idempotent.
  const inboxTimers =
    props.inboxTimers === false ? undefined : startInboxTimers({ db, bus, clock, log: app.log });
  const kpiJobs =
    props.kpiJobs === false
      ? undefined
      : startKpiJobs({ db, clock, secretsKey, baseUrl: config.baseUrl, log: app.log });
  const connectorWorkers =
    props.connectorWorkers === false ? undefined : startConnectorWorkers({ ...channelDeps, log: app.log });
  const housekeeping =
    props.housekeeping === false ? undefined : startHousekeeping({ db, clock, secretsKey, log: app.log });
  app.addHook("onClose", async () => {
    demoStream?.stop();
    await housekeeping?.stop();
    await connectorWorkers?.stop();
    await inboxTimers?.stop();
    await kpiJobs?.stop();
    await pipeline?.stop();
    if (!props.bus) await bus.close();
    if (!props.database) await database.close();
  });
  /** The connectors' jobs, for tests and the CLI to run at the moment they choose. */
  const connectorJobs = {
    deliverReplies: () => deliverDueReplies(channelDeps),
    pollAccounts: (options?: { channelId?: string }) => pollDueAccounts(channelDeps, options),
    /** Push watches (IMAP IDLE) as the connector loop keeps them; the caller syncs and stops them. */
    watchAccounts: () => startAccountWatchers(channelDeps),
  };
  /** The housekeeping jobs, for tests and the CLI to run at the moment they choose. */
  const housekeepingJobs = {
    runDueRetention: () => runDueRetention({ db, clock, secretsKey }),
    deliverContactWebhooks: () => deliverContactWebhooks({ db, clock, secretsKey }),
  };
  return { app, database, auth, masterKey, bus, secretsKey, connectorJobs, housekeepingJobs };
}

/**
 * The bus of this installation: NATS JetStream when configured, else in-process. A post that keeps
 * failing is retried for about four minutes (database restarts, deployments) before it becomes a
 * dead letter.
 */
export function createConfiguredBus(config: Config, db: Database["db"]) {
  return createBus({
    natsUrl: config.natsUrl,
    streamPrefix: config.natsPrefix,
    retryBaseMs: 1_000,
    retryMaxMs: 60_000,
    onDeadLetter: (letter) => storeDeadLetter(db, letter),
  });
}

/** Listens on the configured port, or says in one sentence why it cannot. */
export async function listen(app: Awaited<ReturnType<typeof buildApp>>["app"], config: Config) {
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new StartupError(
        `Port ${config.port} is in use; set PORT to a free port or stop the program using it.`,
      );
    }
    if (code === "EACCES")
      throw new StartupError(`Port ${config.port} needs more privileges; set PORT above 1023.`);
    throw error;
  }
}

export function defaultWebRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/server.ts and dist/server.js both sit one level below the project root.
  return path.resolve(here, "..", "dist", "web");
}
