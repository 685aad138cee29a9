import { AppShell, Burger, Group, NavLink, ScrollArea, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import {
  type Icon,
  IconAddressBook,
  IconChartBar,
  IconEar,
  IconInbox,
  IconMessages,
  IconReport,
  IconRoute,
  IconSettings,
  IconShieldCheck,
  IconSpeakerphone,
  IconTarget,
} from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { Link, Outlet, useRouterState } from "@tanstack/react-router";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { meQuery } from "../api/queries.js";
import { changeLocale, currentLocale, storedLocale } from "../i18n/index.js";
import { LanguageSwitch, OrganizationSwitcher, UserMenu } from "./HeaderControls.js";
import { NotificationBell } from "./NotificationBell.js";
import { CenteredLoader, NoOrganization } from "./RouteStates.js";

type NavTarget =
  | "/inbox"
  | "/listening"
  | "/contacts"
  | "/kpis"
  | "/reports"
  | "/insights"
  | "/automation"
  | "/moderation"
  | "/voice"
  | "/settings";
/** Who sees an entry: everybody who works with customer data, curators only, or viewers too. */
type NavAudience = "staff" | "curators" | "everyone";
const navigation: {
  to: NavTarget;
  label:
    | "nav.inbox"
    | "nav.listening"
    | "nav.contacts"
    | "nav.kpis"
    | "nav.reports"
    | "nav.insights"
    | "nav.settings"
    | `core.nav.${"automation" | "moderation" | "voice"}`;
  icon: Icon;
  audience: NavAudience;
}[] = [
  { to: "/inbox", label: "nav.inbox", icon: IconInbox, audience: "staff" },
  { to: "/listening", label: "nav.listening", icon: IconEar, audience: "staff" },
  { to: "/contacts", label: "nav.contacts", icon: IconAddressBook, audience: "staff" },
  { to: "/kpis", label: "nav.kpis", icon: IconTarget, audience: "staff" },
  { to: "/reports", label: "nav.reports", icon: IconReport, audience: "staff" },
  { to: "/insights", label: "nav.insights", icon: IconChartBar, audience: "staff" },
  { to: "/automation", label: "core.nav.automation", icon: IconRoute, audience: "curators" },
  { to: "/moderation", label: "core.nav.moderation", icon: IconShieldCheck, audience: "staff" },
  { to: "/voice", label: "core.nav.voice", icon: IconSpeakerphone, audience: "everyone" },
  { to: "/settings", label: "nav.settings", icon: IconSettings, audience: "staff" },
];

function visibleTo(audience: NavAudience, role: string | null | undefined) {
  if (audience === "everyone") return true;
  if (role === "viewer") return false;
  return audience === "staff" || role === "owner" || role === "admin" || role === "core_team";
}

/** The frame of every signed-in page: header with organization, language and account; navigation. */
export function AppLayout() {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure(false);
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const me = useQuery(meQuery);

  // Close the phone menu after each navigation.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the page changes.
  useEffect(() => close(), [pathname]);

  // Without a choice in this browser, the language saved on the account applies.
  const savedLocale = me.data?.user.locale;
  useEffect(() => {
    if (
      !storedLocale() &&
      (savedLocale === "de" || savedLocale === "en") &&
      savedLocale !== currentLocale()
    ) {
      void changeLocale(savedLocale, { remember: false });
    }
  }, [savedLocale]);

  if (!me.data) return <CenteredLoader />;

  return (
    <AppShell
      header={{ height: 52 }}
      navbar={{ width: 216, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding={0}
    >
      <a className="skip-link" href="#main">
        {t("app.skipToContent")}
      </a>
      <AppShell.Header className="app-header">
        <Group h="100%" px="md" gap="sm" wrap="nowrap">
          <Burger
            opened={opened}
            onClick={toggle}
            hiddenFrom="sm"
            size="sm"
            aria-label={opened ? t("nav.closeMenu") : t("nav.openMenu")}
          />
          <Link to="/inbox" search={{ status: "open" }} className="brand" aria-label={t("app.name")}>
            <span className="brand-mark" aria-hidden>
              <IconMessages size={18} stroke={2} />
            </span>
            <span className="brand-name">{t("app.name")}</span>
          </Link>
          <Group visibleFrom="sm" ml="md">
            <OrganizationSwitcher me={me.data} />
          </Group>
          <Group ml="auto" gap="sm" wrap="nowrap">
            <NotificationBell me={me.data} />
            <Group visibleFrom="sm">
              <LanguageSwitch />
            </Group>
            <UserMenu me={me.data} />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar className="app-navbar" p="xs" data-collapsed={opened ? undefined : ""}>
        <AppShell.Section grow component={ScrollArea}>
          <nav aria-label={t("nav.main")}>
            <Stack gap={2}>
              {navigation
                .filter((item) => visibleTo(item.audience, me.data?.role))
                .map((item) => {
                  const active = pathname === item.to || pathname.startsWith(`${item.to}/`);
                  return (
                    <NavLink
                      key={item.to}
                      label={t(item.label)}
                      leftSection={<item.icon size={18} stroke={1.7} />}
                      active={active}
                      aria-current={active ? "page" : undefined}
                      className="nav-item"
                      renderRoot={(props) =>
                        item.to === "/inbox" ? (
                          <Link {...props} to="/inbox" search={{ status: "open" }} />
                        ) : (
                          <Link {...props} to={item.to} />
                        )
                      }
                    />
                  );
                })}
            </Stack>
          </nav>
        </AppShell.Section>
        <AppShell.Section hiddenFrom="sm" pt="sm" className="navbar-footer">
          <Stack gap="sm">
            <OrganizationSwitcher me={me.data} fullWidth />
            <LanguageSwitch fullWidth />
          </Stack>
        </AppShell.Section>
        <AppShell.Section visibleFrom="sm" pt="xs">
          <Text size="xs" c="dimmed" px="sm">
            {t("app.name")} · {t("app.tagline")}
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main id="main" className="app-main">
        {me.data.organization ? <Outlet /> : <NoOrganization />}
      </AppShell.Main>
    </AppShell>
  );
}
