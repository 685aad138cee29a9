import { Alert, Badge, Button, Code, Paper, Stack, Table, Text } from "@mantine/core";
import { IconLock, IconRotateClockwise } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { deadLettersQuery } from "../../api/listening.js";
import { useApiMutation } from "../../api/mutations.js";
import { useMe } from "../../api/useMe.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime } from "../../lib/format.js";
import { usePageTitle } from "../../lib/usePageTitle.js";

/** Posts the pipeline gave up on, with the error, and a way to put each back into the pipeline. */
export function DeadLettersPage() {
  const { t } = useTranslation();
  const me = useMe();
  if (me.canCurate) return <DeadLetters />;
  return (
    <Alert color="gray" variant="light" icon={<IconLock size={18} />}>
      {t("deadLetters.forbidden")}
    </Alert>
  );
}

function DeadLetters() {
  const { t, i18n } = useTranslation();
  usePageTitle(t("deadLetters.title"));
  const letters = useQuery(deadLettersQuery);
  const retry = useApiMutation(
    (id: string) => api(`/api/v1/dead-letters/${id}/retry`, { method: "POST" }),
    [["dead-letters"]],
  );
  return (
    <Stack gap="md">
      <PageHeader title={t("deadLetters.title")} description={t("deadLetters.description")} />
      {retry.error && <ErrorAlert error={retry.error} />}
      {letters.isPending ? (
        <CenteredLoader />
      ) : letters.isError ? (
        <ErrorAlert error={letters.error} onRetry={() => letters.refetch()} />
      ) : letters.data.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("deadLetters.empty")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table verticalSpacing={8} fz="sm" aria-label={t("deadLetters.title")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("deadLetters.failedAt")}</Table.Th>
                <Table.Th>{t("deadLetters.subject")}</Table.Th>
                <Table.Th>{t("deadLetters.error")}</Table.Th>
                <Table.Th ta="right">{t("deadLetters.attempts")}</Table.Th>
                <Table.Th w={140} aria-label={t("queries.actions")} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {letters.data.map((letter) => (
                <Table.Tr key={letter.id}>
                  <Table.Td className="nowrap">{dateTime(letter.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Code>{letter.subject}</Code>
                  </Table.Td>
                  <Table.Td className="dead-letter-error">{letter.error}</Table.Td>
                  <Table.Td ta="right">{letter.attempts}</Table.Td>
                  <Table.Td>
                    {letter.retriedAt ? (
                      <Badge
                        size="sm"
                        variant="light"
                        color="teal"
                        title={dateTime(letter.retriedAt, i18n.language)}
                      >
                        {t("deadLetters.retried")}
                      </Badge>
                    ) : (
                      <Button
                        size="xs"
                        variant="light"
                        leftSection={<IconRotateClockwise size={14} />}
                        loading={retry.isPending && retry.variables === letter.id}
                        onClick={() => retry.mutate(letter.id)}
                      >
                        {t("deadLetters.retry")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </Stack>
  );
}
