import { Tabs } from "@mantine/core";
import {
  type Icon,
  IconArrowsExchange,
  IconHistory,
  IconHourglass,
  IconKey,
  IconMailForward,
  IconPlugConnected,
  IconSitemap,
  IconUsers,
} from "@tabler/icons-react";
import { Outlet, useNavigate, useRouterState } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { useMe } from "../../api/useMe.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { usePageTitle } from "../../lib/usePageTitle.js";

type Section =
  | "members"
  | "departments"
  | "invitations"
  | "api-tokens"
  | "channels"
  | "audit"
  | "retention"
  | "crm";
const sections: {
  path: Section;
  label:
    | "settings.members"
    | "settings.departments"
    | "settings.invitations"
    | "settings.apiTokens"
    | "settings.channels"
    | "settings.audit"
    | "retention.tab"
    | "crm.tab";
  icon: Icon;
  adminOnly: boolean;
  /** Also offered to the data protection officer (reads what the page shows). */
  dpo?: boolean;
}[] = [
  { path: "members", label: "settings.members", icon: IconUsers, adminOnly: false },
  { path: "departments", label: "settings.departments", icon: IconSitemap, adminOnly: false },
  { path: "invitations", label: "settings.invitations", icon: IconMailForward, adminOnly: true },
  { path: "api-tokens", label: "settings.apiTokens", icon: IconKey, adminOnly: false },
  { path: "channels", label: "settings.channels", icon: IconPlugConnected, adminOnly: true },
  { path: "audit", label: "settings.audit", icon: IconHistory, adminOnly: true },
  { path: "retention", label: "retention.tab", icon: IconHourglass, adminOnly: true, dpo: true },
  { path: "crm", label: "crm.tab", icon: IconArrowsExchange, adminOnly: true },
];

/** Settings with one tab per section; sections only administrators may use are not offered to others. */
export function SettingsLayout() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const current =
    sections.find((section) => pathname.startsWith(`/settings/${section.path}`))?.path ?? "members";
  usePageTitle(t("settings.title"));
  const visible = sections.filter(
    (section) => !section.adminOnly || me.isAdmin || (section.dpo && me.role === "dpo"),
  );
  return (
    <PageBody>
      <PageHeader title={t("settings.title")} description={me.organization?.name} />
      <Tabs
        value={current}
        onChange={(value) => value && navigate({ to: `/settings/${value as Section}` })}
        mb="lg"
        className="settings-tabs"
      >
        <Tabs.List aria-label={t("settings.sections")}>
          {visible.map((section) => (
            <Tabs.Tab
              key={section.path}
              value={section.path}
              leftSection={<section.icon size={16} stroke={1.7} />}
            >
              {t(section.label)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet />
    </PageBody>
  );
}
