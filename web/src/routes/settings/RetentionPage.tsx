import { Alert, Badge, Button, Group, NumberInput, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { useApiMutation } from "../../api/mutations.js";
import { useMe } from "../../api/useMe.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime } from "../../lib/format.js";

interface Policy {
  dataType: string;
  days: number;
  defaultDays: number;
  minDays: number;
  maxDays: number;
  isDefault: boolean;
}
interface Run {
  id: string;
  trigger: "daily" | "manual";
  day: string | null;
  status: "running" | "completed" | "failed";
  counts: Record<string, { deleted: number; anonymised: number }>;
  error: string | null;
  startedAt: string;
}

/** Settings → Retention: a period per data type, and the report of every run. */
export function RetentionPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const me = useMe();
  const policies = useQuery({
    queryKey: ["retention", "policies"],
    queryFn: () => api<{ policies: Policy[] }>("/api/v1/retention/policies"),
  });
  const runs = useQuery({
    queryKey: ["retention", "runs"],
    queryFn: () => api<{ runs: Run[] }>("/api/v1/retention/runs"),
  });
  const [periods, setPeriods] = useState<Record<string, number>>({});
  useEffect(() => {
    if (policies.data)
      setPeriods(Object.fromEntries(policies.data.policies.map((p) => [p.dataType, p.days])));
  }, [policies.data]);
  const save = useApiMutation(
    (body: { periods: Record<string, number> }) => api("/api/v1/retention/policies", { method: "PUT", body }),
    [["retention"]],
  );
  const runNow = useApiMutation(
    () => api<Run>("/api/v1/retention/runs", { method: "POST" }),
    [["retention"]],
  );
  const typeLabel = (type: string) => t(`retention.types.${type}` as "retention.types.mentions", type);

  if (policies.isPending) return <CenteredLoader />;
  if (policies.isError) return <ErrorAlert error={policies.error} onRetry={() => policies.refetch()} />;
  const changed = Object.fromEntries(
    policies.data.policies
      .filter((p) => periods[p.dataType] !== p.days)
      .map((p) => [p.dataType, periods[p.dataType]!]),
  );
  return (
    <Stack gap="md">
      <PageHeader order={2} title={t("retention.tab")} description={t("retention.description")} />
      <Paper withBorder radius="sm" className="table-card">
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing={6} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("retention.dataType")}</Table.Th>
                <Table.Th w={160}>{t("retention.days")}</Table.Th>
                <Table.Th>{t("retention.range")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {policies.data.policies.map((p) => (
                <Table.Tr key={p.dataType}>
                  <Table.Td>{typeLabel(p.dataType)}</Table.Td>
                  <Table.Td>
                    <NumberInput
                      aria-label={`${typeLabel(p.dataType)}: ${t("retention.days")}`}
                      value={periods[p.dataType] ?? p.days}
                      onChange={(value) =>
                        typeof value === "number" &&
                        setPeriods((current) => ({ ...current, [p.dataType]: value }))
                      }
                      min={p.minDays}
                      max={p.maxDays}
                      allowDecimal={false}
                      disabled={!me.isAdmin}
                      size="xs"
                    />
                  </Table.Td>
                  <Table.Td c="dimmed">
                    {p.minDays}–{p.maxDays} · {t("retention.default")} {p.defaultDays}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {save.error && <ErrorAlert error={save.error} />}
      {save.isSuccess && Object.keys(changed).length === 0 && (
        <Alert color="teal" variant="light">
          {t("retention.saved")}
        </Alert>
      )}
      {me.isAdmin && (
        <Group gap="sm">
          <Button
            onClick={() => save.mutate({ periods: changed })}
            disabled={Object.keys(changed).length === 0}
            loading={save.isPending}
          >
            {t("retention.save")}
          </Button>
          <Button
            variant="default"
            leftSection={<IconPlayerPlay size={16} />}
            onClick={() => runNow.mutate(undefined)}
            loading={runNow.isPending}
          >
            {t("retention.runNow")}
          </Button>
        </Group>
      )}
      {runNow.error && <ErrorAlert error={runNow.error} />}
      <Title order={3} size="h5">
        {t("retention.runs")}
      </Title>
      {runs.isPending ? (
        <CenteredLoader />
      ) : runs.isError ? (
        <ErrorAlert error={runs.error} onRetry={() => runs.refetch()} />
      ) : runs.data.runs.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("retention.noRuns")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing={6} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("retention.started")}</Table.Th>
                  <Table.Th>{t("retention.trigger")}</Table.Th>
                  <Table.Th>{t("retention.status")}</Table.Th>
                  <Table.Th>{t("retention.report")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {runs.data.runs.map((run) => {
                  const done = Object.entries(run.counts).filter(([, c]) => c.deleted + c.anonymised > 0);
                  return (
                    <Table.Tr key={run.id}>
                      <Table.Td>{dateTime(run.startedAt, locale)}</Table.Td>
                      <Table.Td>{t(`retention.triggers.${run.trigger}`)}</Table.Td>
                      <Table.Td>
                        <Badge
                          size="sm"
                          variant="light"
                          color={run.status === "failed" ? "red" : run.status === "running" ? "blue" : "teal"}
                        >
                          {t(`retention.statuses.${run.status}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {run.error ? (
                          <Text size="sm" c="red">
                            {run.error}
                          </Text>
                        ) : done.length === 0 ? (
                          <Text size="sm" c="dimmed">
                            {t("retention.nothing")}
                          </Text>
                        ) : (
                          <Stack gap={0}>
                            {done.map(([type, c]) => (
                              <Text size="sm" key={type}>
                                {typeLabel(type)}: {c.deleted} / {c.anonymised}
                              </Text>
                            ))}
                          </Stack>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </Stack>
  );
}
