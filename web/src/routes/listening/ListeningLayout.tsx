import { Tabs } from "@mantine/core";
import {
  type Icon,
  IconBell,
  IconChartDots,
  IconFilter,
  IconMailX,
  IconMessageCircleSearch,
  IconStar,
} from "@tabler/icons-react";
import { Outlet, useNavigate, useRouterState } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { useMe } from "../../api/useMe.js";
import { PageBody } from "../../app/Page.js";

export type ListeningSection =
  | "mentions"
  | "queries"
  | "dashboard"
  | "alerts"
  | "influencers"
  | "dead-letters";
const sections: {
  path: ListeningSection;
  label: "mentions" | "queries" | "dashboard" | "alerts" | "influencers" | "deadLetters";
  icon: Icon;
  curatorsOnly: boolean;
}[] = [
  { path: "mentions", label: "mentions", icon: IconMessageCircleSearch, curatorsOnly: false },
  { path: "queries", label: "queries", icon: IconFilter, curatorsOnly: false },
  { path: "dashboard", label: "dashboard", icon: IconChartDots, curatorsOnly: false },
  { path: "alerts", label: "alerts", icon: IconBell, curatorsOnly: false },
  { path: "influencers", label: "influencers", icon: IconStar, curatorsOnly: false },
  { path: "dead-letters", label: "deadLetters", icon: IconMailX, curatorsOnly: true },
];

/** Listening with one tab per part: the live mentions, the queries, the dashboard, alerts and authors. */
export function ListeningLayout() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const current =
    sections.find((section) => pathname.startsWith(`/listening/${section.path}`))?.path ?? "mentions";
  const visible = sections.filter((section) => !section.curatorsOnly || me.canCurate);
  return (
    <PageBody maw={1400}>
      <Tabs
        value={current}
        onChange={(value) => value && navigate({ to: `/listening/${value as ListeningSection}` })}
        mb="md"
        className="settings-tabs"
      >
        <Tabs.List aria-label={t("listening.sections")}>
          {visible.map((section) => (
            <Tabs.Tab
              key={section.path}
              value={section.path}
              leftSection={<section.icon size={16} stroke={1.7} />}
            >
              {t(`listening.tabs.${section.label}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet />
    </PageBody>
  );
}
