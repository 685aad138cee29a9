import { Badge, Group, MultiSelect, Paper, Select, Stack, Table, Text } from "@mantine/core";
import { IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { useApiMutation } from "../../api/mutations.js";
import { departmentsQuery, membersQuery } from "../../api/queries.js";
import type { Department, Member, Role } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { date } from "../../lib/format.js";
import { roles } from "../../lib/roles.js";
import { ConfirmButton } from "./ConfirmButton.js";

/** Members with role and departments; administrators change both in place and can remove people. */
export function MembersPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const me = useMe();
  const members = useQuery(membersQuery);
  const departments = useQuery(departmentsQuery);
  const update = useApiMutation(
    ({ id, ...change }: { id: string; role?: Role; departmentIds?: string[] }) =>
      api(`/api/v1/members/${id}`, { method: "PATCH", body: change }),
    [["members"], ["me"]],
  );
  const remove = useApiMutation(
    (id: string) => api(`/api/v1/members/${id}`, { method: "DELETE" }),
    [["members"]],
  );
  const departmentOptions = (departments.data ?? []).map((d) => ({ value: d.id, label: d.name }));
  const departmentName = new Map((departments.data ?? []).map((d: Department) => [d.id, d.name]));

  return (
    <Stack gap="md">
      <PageHeader order={2} title={t("settings.members")} description={t("members.description")} />
      {(update.error || remove.error) && <ErrorAlert error={update.error ?? remove.error} />}
      {members.isPending ? (
        <CenteredLoader />
      ) : members.isError ? (
        <ErrorAlert error={members.error} onRetry={() => members.refetch()} />
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing={8} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("members.name")}</Table.Th>
                  <Table.Th w={220}>{t("members.role")}</Table.Th>
                  <Table.Th>{t("members.departments")}</Table.Th>
                  <Table.Th w={120}>{t("members.joined")}</Table.Th>
                  {me.isAdmin && <Table.Th w={60} aria-label={t("members.actions")} />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {members.data.map((member: Member) => (
                  <Table.Tr key={member.id}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Text size="sm" fw={500}>
                          {member.name}
                        </Text>
                        {member.userId === me.user.id && (
                          <Badge size="xs" variant="light" color="gray">
                            {t("members.you")}
                          </Badge>
                        )}
                      </Group>
                      <Text size="xs" c="dimmed">
                        {member.email}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {me.isAdmin ? (
                        <Select
                          size="xs"
                          aria-label={`${t("members.role")}: ${member.name}`}
                          data={roles.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
                          value={member.role}
                          allowDeselect={false}
                          onChange={(role) => role && update.mutate({ id: member.id, role: role as Role })}
                        />
                      ) : (
                        t(`roles.${member.role}`)
                      )}
                    </Table.Td>
                    <Table.Td>
                      {me.isAdmin ? (
                        <MultiSelect
                          size="xs"
                          aria-label={`${t("members.departments")}: ${member.name}`}
                          data={departmentOptions}
                          value={member.departmentIds}
                          placeholder={
                            member.departmentIds.length === 0 ? t("members.noDepartments") : undefined
                          }
                          onChange={(departmentIds) => update.mutate({ id: member.id, departmentIds })}
                          clearable
                        />
                      ) : member.departmentIds.length === 0 ? (
                        <Text size="sm" c="dimmed">
                          {t("members.noDepartments")}
                        </Text>
                      ) : (
                        <Group gap={4}>
                          {member.departmentIds.map((id) => (
                            <Badge key={id} size="sm" variant="light" color="gray">
                              {departmentName.get(id) ?? id}
                            </Badge>
                          ))}
                        </Group>
                      )}
                    </Table.Td>
                    <Table.Td>{date(member.createdAt, locale)}</Table.Td>
                    {me.isAdmin && (
                      <Table.Td>
                        <ConfirmButton
                          icon={<IconTrash size={16} />}
                          label={`${t("app.remove")}: ${member.name}`}
                          title={t("members.removeTitle")}
                          message={t("members.removeConfirm", { name: member.name })}
                          confirmLabel={t("app.remove")}
                          onConfirm={() => remove.mutate(member.id)}
                          loading={remove.isPending && remove.variables === member.id}
                        />
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </Stack>
  );
}
