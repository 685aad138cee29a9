import { Alert, Button, Center, Loader, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle, IconBuilding } from "@tabler/icons-react";
import type { ErrorComponentProps } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { ButtonLink } from "./links.js";

export function CenteredLoader() {
  const { t } = useTranslation();
  return (
    <Center h="100%" mih={200} py="xl">
      <Loader size="sm" aria-label={t("app.loading")} />
    </Center>
  );
}

/** A failed request, with the server's sentence and a way to try again. */
export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={t("app.error")}
      role="alert"
    >
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{message}</Text>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            {t("app.retry")}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function RouteError({ error, reset }: ErrorComponentProps) {
  return (
    <Center p="xl">
      <ErrorAlert error={error} onRetry={reset} />
    </Center>
  );
}

export function NotFound() {
  const { t } = useTranslation();
  return (
    <Center p="xl" mih={300}>
      <Stack align="center" gap="sm">
        <Title order={2}>404</Title>
        <Text c="dimmed">{t("app.notFound")}</Text>
        <ButtonLink to="/inbox" search={{ status: "open" }} variant="light">
          {t("app.backToInbox")}
        </ButtonLink>
      </Stack>
    </Center>
  );
}

export function NoOrganization() {
  const { t } = useTranslation();
  return (
    <Center p="xl" mih={300}>
      <Stack align="center" gap="xs" maw={420} ta="center">
        <IconBuilding size={36} stroke={1.4} color="var(--mantine-color-gray-5)" />
        <Title order={2} size="h4">
          {t("noOrganization.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("noOrganization.text")}
        </Text>
      </Stack>
    </Center>
  );
}
