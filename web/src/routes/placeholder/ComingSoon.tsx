import { Badge, Center, Stack, Text, Title } from "@mantine/core";
import { type Icon, IconChartBar } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { usePageTitle } from "../../lib/usePageTitle.js";

/** Pages that later issues build; until then they say what they will be. */
function ComingSoon({ icon: Glyph, title, description }: { icon: Icon; title: string; description: string }) {
  const { t } = useTranslation();
  usePageTitle(title);
  return (
    <Center mih="60vh" p="xl">
      <Stack align="center" gap="xs" maw={460} ta="center">
        <Glyph size={44} stroke={1.2} color="var(--mantine-color-indigo-4)" />
        <Title order={1} size="h3">
          {title}
        </Title>
        <Badge variant="light" color="indigo">
          {t("app.comingSoon")}
        </Badge>
        <Text c="dimmed" size="sm">
          {description}
        </Text>
      </Stack>
    </Center>
  );
}

export function InsightsPage() {
  const { t } = useTranslation();
  return (
    <ComingSoon icon={IconChartBar} title={t("insights.title")} description={t("insights.description")} />
  );
}
