import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { isUnauthorized } from "./api/client.js";
import { type AuditFilter, meQuery } from "./api/queries.js";
import type { ConversationStatus } from "./api/types.js";
import { AppLayout } from "./app/AppLayout.js";
import { NotFound, RouteError } from "./app/RouteStates.js";
import { LoginPage } from "./routes/auth/LoginPage.js";
import { validateMentionSearch } from "./routes/listening/mentionSearch.js";

/**
 * Every page of the app. Signed-in pages hang below the "app" layout, which loads /me first and
 * sends strangers to the login page; the pages themselves load on demand.
 */
export interface RouterContext {
  queryClient: QueryClient;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFound,
  errorComponent: RouteError,
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  validateSearch: (search: Record<string, unknown>): { redirect?: string } =>
    typeof search.redirect === "string" &&
    search.redirect.startsWith("/") &&
    !search.redirect.startsWith("//")
      ? { redirect: search.redirect }
      : {},
  component: LoginPage,
});

const inviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/invite/$token",
  component: lazyRouteComponent(() => import("./routes/invite/InvitePage.js"), "InvitePage"),
});

/** The customer's opt-in page: public, no sign-in. */
const optInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/opt-in/$token",
  component: lazyRouteComponent(() => import("./routes/optIn/OptInPage.js"), "OptInPage"),
});

const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: async ({ context, location }) => {
    try {
      return { me: await context.queryClient.ensureQueryData(meQuery) };
    } catch (error) {
      if (isUnauthorized(error)) throw redirect({ to: "/login", search: { redirect: location.href } });
      throw error;
    }
  },
  component: AppLayout,
});

const indexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/",
  beforeLoad: ({ context }) => {
    // Viewers read the voice of the customer only; everybody else starts in the inbox.
    if (context.me.role === "viewer") throw redirect({ to: "/voice" });
    throw redirect({ to: "/inbox", search: { status: "open" } });
  },
});

export const inboxStatuses = ["open", "pending", "snoozed", "resolved", "all"] as const;
export type InboxStatus = ConversationStatus | "all";
/** Saved views of the inbox: mine, unassigned, SLA breached (all when absent). */
export const inboxViews = ["mine", "unassigned", "breached"] as const;
export interface InboxSearch {
  status: InboxStatus;
  view?: (typeof inboxViews)[number];
  channelId?: string;
  departmentId?: string;
  sentiment?: "negative" | "neutral" | "positive";
  q?: string;
  sort?: "due";
}

const inboxRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/inbox",
  validateSearch: (search: Record<string, unknown>): InboxSearch => {
    const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);
    const oneOf = <T extends string>(values: readonly T[], value: unknown) =>
      (values as readonly unknown[]).includes(value) ? (value as T) : undefined;
    return {
      status: oneOf(inboxStatuses, search.status) ?? "open",
      view: oneOf(inboxViews, search.view),
      channelId: text(search.channelId),
      departmentId: text(search.departmentId),
      sentiment: oneOf(["negative", "neutral", "positive"] as const, search.sentiment),
      q: text(search.q),
      sort: oneOf(["due"] as const, search.sort),
    };
  },
  component: lazyRouteComponent(() => import("./routes/inbox/InboxPage.js"), "InboxPage"),
});

const inboxIndexRoute = createRoute({
  getParentRoute: () => inboxRoute,
  path: "/",
  component: lazyRouteComponent(() => import("./routes/inbox/ConversationView.js"), "NoConversation"),
});

export const conversationRoute = createRoute({
  getParentRoute: () => inboxRoute,
  path: "$conversationId",
  component: lazyRouteComponent(() => import("./routes/inbox/ConversationView.js"), "ConversationView"),
});

const listeningRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/listening",
  component: lazyRouteComponent(() => import("./routes/listening/ListeningLayout.js"), "ListeningLayout"),
});

const listeningIndexRoute = createRoute({
  getParentRoute: () => listeningRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/listening/mentions" });
  },
});

const mentionsRoute = createRoute({
  getParentRoute: () => listeningRoute,
  path: "mentions",
  validateSearch: validateMentionSearch,
  component: lazyRouteComponent(() => import("./routes/listening/MentionsPage.js"), "MentionsPage"),
});

const queriesRoute = createRoute({
  getParentRoute: () => listeningRoute,
  path: "queries",
  component: lazyRouteComponent(() => import("./routes/listening/QueriesPage.js"), "QueriesPage"),
});

// Its own chunk: ECharts loads only when someone opens the dashboard.
const dashboardRoute = createRoute({
  getParentRoute: () => listeningRoute,
  path: "dashboard",
  component: lazyRouteComponent(() => import("./routes/listening/DashboardPage.js"), "DashboardPage"),
});

const alertsRoute = createRoute({
  getParentRoute: () => listeningRoute,
  path: "alerts",
  component: lazyRouteComponent(() => import("./routes/listening/AlertsPage.js"), "AlertsPage"),
});

/** Where a notification of a fired alert leads: the alert list with that alert marked. */
const alertRoute = createRoute({
  getParentRoute: () => listeningRoute,
  path: "alerts/$alertId",
  component: lazyRouteComponent(() => import("./routes/listening/AlertsPage.js"), "AlertsPage"),
});

const influencersRoute = createRoute({
  getParentRoute: () => listeningRoute,
  path: "influencers",
  component: lazyRouteComponent(() => import("./routes/listening/InfluencersPage.js"), "InfluencersPage"),
});

const deadLettersRoute = createRoute({
  getParentRoute: () => listeningRoute,
  path: "dead-letters",
  component: lazyRouteComponent(() => import("./routes/listening/DeadLettersPage.js"), "DeadLettersPage"),
});

// Its own chunk: ECharts loads only when someone opens the KPIs.
const kpisRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/kpis",
  component: lazyRouteComponent(() => import("./routes/kpis/KpiDashboardPage.js"), "KpiDashboardPage"),
});

const reportsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/reports",
  component: lazyRouteComponent(() => import("./routes/reports/ReportsPage.js"), "ReportsPage"),
});

const briefingRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/reports/briefings/$briefingId",
  component: lazyRouteComponent(() => import("./routes/reports/BriefingPage.js"), "BriefingPage"),
});

const insightsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/insights",
  component: lazyRouteComponent(() => import("./routes/insights/InsightsPage.js"), "InsightsPage"),
});

export const insightRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/insights/$insightId",
  component: lazyRouteComponent(() => import("./routes/insights/InsightsPage.js"), "InsightPage"),
});

const automationRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/automation",
  component: lazyRouteComponent(() => import("./routes/automation/AutomationPage.js"), "AutomationPage"),
});

const moderationRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/moderation",
  component: lazyRouteComponent(() => import("./routes/moderation/ModerationPage.js"), "ModerationPage"),
});

const voiceRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/voice",
  component: lazyRouteComponent(() => import("./routes/voice/VoicePage.js"), "VoicePage"),
});

const voiceRequestsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/voice/requests",
  component: lazyRouteComponent(() => import("./routes/voice/VoicePage.js"), "JoinRequestsPage"),
});

const contactsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/contacts",
  validateSearch: (search: Record<string, unknown>): { q?: string } =>
    typeof search.q === "string" && search.q ? { q: search.q } : {},
  component: lazyRouteComponent(() => import("./routes/contacts/ContactsPage.js"), "ContactsPage"),
});

export const contactRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/contacts/$contactId",
  component: lazyRouteComponent(() => import("./routes/contacts/ContactPage.js"), "ContactPage"),
});

const identityQueueRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/identities",
  component: lazyRouteComponent(() => import("./routes/contacts/IdentityQueuePage.js"), "IdentityQueuePage"),
});

const companiesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/companies",
  component: lazyRouteComponent(() => import("./routes/contacts/CompaniesPage.js"), "CompaniesPage"),
});

const settingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings",
  component: lazyRouteComponent(() => import("./routes/settings/SettingsLayout.js"), "SettingsLayout"),
});

const settingsIndexRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/settings/members" });
  },
});

const membersRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "members",
  component: lazyRouteComponent(() => import("./routes/settings/MembersPage.js"), "MembersPage"),
});

const departmentsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "departments",
  component: lazyRouteComponent(() => import("./routes/settings/DepartmentsPage.js"), "DepartmentsPage"),
});

const invitationsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "invitations",
  component: lazyRouteComponent(() => import("./routes/settings/InvitationsPage.js"), "InvitationsPage"),
});

const apiTokensRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "api-tokens",
  component: lazyRouteComponent(() => import("./routes/settings/ApiTokensPage.js"), "ApiTokensPage"),
});

const channelsSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "channels",
  component: lazyRouteComponent(() => import("./routes/settings/ChannelsPage.js"), "ChannelsPage"),
});

const auditRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "audit",
  validateSearch: (search: Record<string, unknown>): AuditFilter => ({
    action: typeof search.action === "string" ? search.action : undefined,
    entityType: typeof search.entityType === "string" ? search.entityType : undefined,
    from: typeof search.from === "string" ? search.from : undefined,
    to: typeof search.to === "string" ? search.to : undefined,
  }),
  component: lazyRouteComponent(() => import("./routes/settings/AuditPage.js"), "AuditPage"),
});

const retentionRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "retention",
  component: lazyRouteComponent(() => import("./routes/settings/RetentionPage.js"), "RetentionPage"),
});

const crmRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "crm",
  component: lazyRouteComponent(() => import("./routes/settings/CrmPage.js"), "CrmPage"),
});

const routeTree = rootRoute.addChildren([
  loginRoute,
  inviteRoute,
  optInRoute,
  appRoute.addChildren([
    indexRoute,
    inboxRoute.addChildren([inboxIndexRoute, conversationRoute]),
    listeningRoute.addChildren([
      listeningIndexRoute,
      mentionsRoute,
      queriesRoute,
      dashboardRoute,
      alertsRoute,
      alertRoute,
      influencersRoute,
      deadLettersRoute,
    ]),
    contactsRoute,
    contactRoute,
    kpisRoute,
    reportsRoute,
    briefingRoute,
    companiesRoute,
    identityQueueRoute,
    insightsRoute,
    insightRoute,
    automationRoute,
    moderationRoute,
    voiceRoute,
    voiceRequestsRoute,
    settingsRoute.addChildren([
      settingsIndexRoute,
      membersRoute,
      departmentsRoute,
      invitationsRoute,
      apiTokensRoute,
      channelsSettingsRoute,
      auditRoute,
      retentionRoute,
      crmRoute,
    ]),
  ]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: "intent",
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
