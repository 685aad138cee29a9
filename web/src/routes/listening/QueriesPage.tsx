import { ActionIcon, Badge, Button, Group, Paper, Stack, Table, Text, Tooltip } from "@mantine/core";
import { IconMessageCircleSearch, IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { listeningQueriesQuery } from "../../api/listening.js";
import { useApiMutation } from "../../api/mutations.js";
import { useMe } from "../../api/useMe.js";
import { ActionIconLink } from "../../app/links.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { ConfirmButton } from "../settings/ConfirmButton.js";
import { QueryBuilder, type QueryDraft } from "./QueryBuilder.js";

export const kindColors = {
  brand: "indigo",
  competitor: "orange",
  campaign: "grape",
  topic: "teal",
} as const;

/** The organization's listening queries; writers create and change them, curators remove them. */
export function QueriesPage() {
  const { t } = useTranslation();
  const me = useMe();
  usePageTitle(t("queries.title"));
  const queries = useQuery(listeningQueriesQuery);
  const [draft, setDraft] = useState<QueryDraft>();
  const remove = useApiMutation(
    (id: string) => api(`/api/v1/listening/queries/${id}`, { method: "DELETE" }),
    [["listening-queries"]],
  );

  return (
    <Stack gap="md">
      <PageHeader
        title={t("queries.title")}
        description={t("queries.description")}
        actions={
          me.canWrite && (
            <Button
              size="sm"
              leftSection={<IconPlus size={16} />}
              onClick={() => setDraft({ name: "", kind: "brand", expression: "", isActive: true })}
            >
              {t("queries.add")}
            </Button>
          )
        }
      />
      {remove.error && <ErrorAlert error={remove.error} />}
      {queries.isPending ? (
        <CenteredLoader />
      ) : queries.isError ? (
        <ErrorAlert error={queries.error} onRetry={() => queries.refetch()} />
      ) : queries.data.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("queries.empty")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table verticalSpacing={8} fz="sm" aria-label={t("queries.title")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("queries.name")}</Table.Th>
                <Table.Th>{t("queries.kind")}</Table.Th>
                <Table.Th>{t("queries.expression")}</Table.Th>
                <Table.Th>{t("queries.state")}</Table.Th>
                <Table.Th w={120} aria-label={t("queries.actions")} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {queries.data.map((query) => (
                <Table.Tr key={query.id}>
                  <Table.Td fw={500}>{query.name}</Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" color={kindColors[query.kind]}>
                      {t(`queries.kinds.${query.kind}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td className="mono query-expression">{query.expression}</Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="dot" color={query.isActive ? "teal" : "gray"}>
                      {query.isActive ? t("queries.activeState") : t("queries.paused")}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={2} wrap="nowrap">
                      <Tooltip label={`${t("queries.showMentions")}: ${query.name}`} withinPortal>
                        <ActionIconLink
                          to="/listening/mentions"
                          search={{ queryId: query.id }}
                          variant="subtle"
                          color="gray"
                          aria-label={`${t("queries.showMentions")}: ${query.name}`}
                        >
                          <IconMessageCircleSearch size={16} />
                        </ActionIconLink>
                      </Tooltip>
                      {me.canWrite && (
                        <Tooltip label={`${t("app.edit")}: ${query.name}`} withinPortal>
                          <ActionIcon
                            variant="subtle"
                            color="gray"
                            aria-label={`${t("app.edit")}: ${query.name}`}
                            onClick={() => setDraft({ ...query })}
                          >
                            <IconPencil size={16} />
                          </ActionIcon>
                        </Tooltip>
                      )}
                      {me.canCurate && (
                        <ConfirmButton
                          icon={<IconTrash size={16} />}
                          label={`${t("app.delete")}: ${query.name}`}
                          title={t("queries.deleteTitle")}
                          message={t("queries.deleteConfirm", { name: query.name })}
                          confirmLabel={t("app.delete")}
                          onConfirm={() => remove.mutate(query.id)}
                        />
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {draft && <QueryBuilder draft={draft} onClose={() => setDraft(undefined)} />}
    </Stack>
  );
}
