import {
  ActionIcon,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { useApiMutation } from "../../api/mutations.js";
import { departmentsQuery } from "../../api/queries.js";
import type { Department } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { ConfirmButton } from "./ConfirmButton.js";

type Draft = { id?: string; name: string; description: string };

/** Departments: everybody sees them; administrators add, rename and delete. */
export function DepartmentsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const departments = useQuery(departmentsQuery);
  const [draft, setDraft] = useState<Draft>();
  const save = useApiMutation(
    ({ id, ...body }: Draft) =>
      id
        ? api(`/api/v1/departments/${id}`, { method: "PATCH", body })
        : api("/api/v1/departments", { method: "POST", body }),
    [["departments"]],
  );
  const remove = useApiMutation(
    (id: string) => api(`/api/v1/departments/${id}`, { method: "DELETE" }),
    [["departments"], ["members"]],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    save.mutate(
      { ...draft, name: draft.name.trim() },
      {
        onSuccess: () => setDraft(undefined),
      },
    );
  };

  return (
    <Stack gap="md">
      <PageHeader
        order={2}
        title={t("settings.departments")}
        description={t("departments.description")}
        actions={
          me.isAdmin && (
            <Button
              size="sm"
              leftSection={<IconPlus size={16} />}
              onClick={() => {
                save.reset();
                setDraft({ name: "", description: "" });
              }}
            >
              {t("departments.add")}
            </Button>
          )
        }
      />
      {remove.error && <ErrorAlert error={remove.error} />}
      {departments.isPending ? (
        <CenteredLoader />
      ) : departments.isError ? (
        <ErrorAlert error={departments.error} onRetry={() => departments.refetch()} />
      ) : departments.data.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("departments.empty")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table verticalSpacing={8} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("departments.name")}</Table.Th>
                <Table.Th>{t("departments.descriptionLabel")}</Table.Th>
                {me.isAdmin && <Table.Th w={90} aria-label={t("departments.actions")} />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {departments.data.map((department: Department) => (
                <Table.Tr key={department.id}>
                  <Table.Td fw={500}>{department.name}</Table.Td>
                  <Table.Td c={department.description ? undefined : "dimmed"}>
                    {department.description || t("app.none")}
                  </Table.Td>
                  {me.isAdmin && (
                    <Table.Td>
                      <Group gap={2} wrap="nowrap">
                        <Tooltip label={`${t("app.edit")}: ${department.name}`} withinPortal>
                          <ActionIcon
                            variant="subtle"
                            color="gray"
                            aria-label={`${t("app.edit")}: ${department.name}`}
                            onClick={() => {
                              save.reset();
                              setDraft({ ...department });
                            }}
                          >
                            <IconPencil size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <ConfirmButton
                          icon={<IconTrash size={16} />}
                          label={`${t("app.delete")}: ${department.name}`}
                          title={t("departments.deleteTitle")}
                          message={t("departments.deleteConfirm", { name: department.name })}
                          confirmLabel={t("app.delete")}
                          onConfirm={() => remove.mutate(department.id)}
                        />
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      <Modal
        opened={draft !== undefined}
        onClose={() => setDraft(undefined)}
        title={draft?.id ? t("departments.editTitle") : t("departments.add")}
        centered
      >
        {draft && (
          <form onSubmit={submit}>
            <Stack gap="sm">
              {save.error && <ErrorAlert error={save.error} />}
              <TextInput
                label={t("departments.name")}
                value={draft.name}
                onChange={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
                required
                maxLength={100}
                data-autofocus
              />
              <Textarea
                label={t("departments.descriptionLabel")}
                value={draft.description}
                onChange={(event) => setDraft({ ...draft, description: event.currentTarget.value })}
                maxLength={1000}
                autosize
                minRows={2}
              />
              <Group justify="flex-end" gap="sm" mt="xs">
                <Button variant="default" onClick={() => setDraft(undefined)}>
                  {t("app.cancel")}
                </Button>
                <Button type="submit" loading={save.isPending} disabled={!draft.name.trim()}>
                  {draft.id ? t("app.save") : t("app.create")}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </Stack>
  );
}
