import { Button, Center, Code, Group, Paper, Stack, Table, Text, TextInput } from "@mantine/core";
import { IconFilter } from "@tabler/icons-react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { type AuditFilter, auditQuery, membersQuery } from "../../api/queries.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime } from "../../lib/format.js";
import { AdminOnly } from "./AdminOnly.js";

export function AuditPage() {
  return (
    <AdminOnly>
      <AuditLog />
    </AdminOnly>
  );
}

/** Local calendar days from the date inputs, as the instants the API filters on. */
function toApiFilter(search: AuditFilter): AuditFilter {
  return {
    action: search.action || undefined,
    entityType: search.entityType || undefined,
    from: search.from ? new Date(`${search.from}T00:00:00`).toISOString() : undefined,
    to: search.to ? new Date(`${search.to}T23:59:59.999`).toISOString() : undefined,
  };
}

/** The audit log, newest first, filtered by action, object type and period; older entries on demand. */
function AuditLog() {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const search = useSearch({ from: "/app/settings/audit" });
  const navigate = useNavigate();
  const [form, setForm] = useState<AuditFilter>(search);
  const entries = useInfiniteQuery(auditQuery(toApiFilter(search)));
  const members = useQuery(membersQuery);
  const names = new Map((members.data ?? []).map((m) => [m.userId, m.name]));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    void navigate({ to: "/settings/audit", search: { ...form } });
  };
  const rows = entries.data?.pages.flatMap((page) => page.entries) ?? [];

  return (
    <Stack gap="md">
      <PageHeader order={2} title={t("settings.audit")} description={t("audit.description")} />
      <Paper withBorder radius="sm" p="md">
        <form onSubmit={apply}>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label={t("audit.action")}
              placeholder="member.updated"
              value={form.action ?? ""}
              onChange={(event) => setForm({ ...form, action: event.currentTarget.value })}
              w={170}
            />
            <TextInput
              label={t("audit.entityType")}
              placeholder="member"
              value={form.entityType ?? ""}
              onChange={(event) => setForm({ ...form, entityType: event.currentTarget.value })}
              w={150}
            />
            <TextInput
              label={t("audit.from")}
              type="date"
              value={form.from ?? ""}
              onChange={(event) => setForm({ ...form, from: event.currentTarget.value })}
              w={150}
            />
            <TextInput
              label={t("audit.to")}
              type="date"
              value={form.to ?? ""}
              onChange={(event) => setForm({ ...form, to: event.currentTarget.value })}
              w={150}
            />
            <Button type="submit" leftSection={<IconFilter size={16} />}>
              {t("audit.filter")}
            </Button>
            <Button
              variant="subtle"
              color="gray"
              onClick={() => {
                setForm({});
                void navigate({ to: "/settings/audit", search: {} });
              }}
            >
              {t("audit.reset")}
            </Button>
          </Group>
        </form>
      </Paper>
      {entries.isPending ? (
        <CenteredLoader />
      ) : entries.isError ? (
        <ErrorAlert error={entries.error} onRetry={() => entries.refetch()} />
      ) : rows.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("audit.empty")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table.ScrollContainer minWidth={860}>
            <Table verticalSpacing={6} fz="sm" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={170}>{t("audit.at")}</Table.Th>
                  <Table.Th>{t("audit.actor")}</Table.Th>
                  <Table.Th>{t("audit.action")}</Table.Th>
                  <Table.Th>{t("audit.entity")}</Table.Th>
                  <Table.Th>{t("audit.ip")}</Table.Th>
                  <Table.Th>{t("audit.details")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((entry) => (
                  <Table.Tr key={entry.id}>
                    <Table.Td className="nowrap">{dateTime(entry.at, locale)}</Table.Td>
                    <Table.Td>
                      {entry.actorUserId
                        ? (names.get(entry.actorUserId) ?? entry.actorUserId)
                        : entry.actorTokenId
                          ? t("audit.token")
                          : t("audit.system")}
                    </Table.Td>
                    <Table.Td>
                      <Code>{entry.action}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{entry.entityType}</Text>
                      {entry.entityId && (
                        <Text size="xs" c="dimmed" className="mono truncate" maw={170} title={entry.entityId}>
                          {entry.entityId}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td className="mono">{entry.ip ?? t("app.none")}</Table.Td>
                    <Table.Td>
                      {Object.keys(entry.details).length > 0 ? (
                        <Code className="audit-details">{JSON.stringify(entry.details)}</Code>
                      ) : (
                        t("app.none")
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {entries.hasNextPage && (
            <Center py="sm">
              <Button
                variant="subtle"
                size="xs"
                onClick={() => entries.fetchNextPage()}
                loading={entries.isFetchingNextPage}
              >
                {t("app.loadMore")}
              </Button>
            </Center>
          )}
        </Paper>
      )}
    </Stack>
  );
}
