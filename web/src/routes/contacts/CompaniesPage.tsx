import { Button, Group, Paper, Stack, Table, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { companiesQuery } from "../../api/contacts.js";
import { useApiMutation } from "../../api/mutations.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { usePageTitle } from "../../lib/usePageTitle.js";

/** Companies (B2B): the list with how many contacts work there, and a form to add one. */
export function CompaniesPage() {
  const { t } = useTranslation();
  const companies = useQuery(companiesQuery);
  const [name, setName] = useState("");
  const [domain, setDomain] = useState("");
  const create = useApiMutation(
    () => api("/api/v1/companies", { method: "POST", body: { name, domain: domain || null } }),
    [["companies"]],
  );
  const remove = useApiMutation(
    (id: string) => api(`/api/v1/companies/${id}`, { method: "DELETE" }),
    [["companies"], ["contacts"]],
  );
  usePageTitle(t("c360.companies"));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(undefined, {
      onSuccess: () => {
        setName("");
        setDomain("");
      },
    });
  };
  return (
    <PageBody maw={900}>
      <PageHeader title={t("c360.companies")} />
      <Paper withBorder p="md" radius="sm" mb="md">
        <form onSubmit={submit}>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label={t("c360.companyName")}
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <TextInput
              label={t("c360.domain")}
              value={domain}
              onChange={(e) => setDomain(e.currentTarget.value)}
            />
            <Button type="submit" loading={create.isPending}>
              {t("c360.newCompany")}
            </Button>
          </Group>
          {create.isError && <ErrorAlert error={create.error} />}
        </form>
      </Paper>
      {companies.isPending ? (
        <CenteredLoader />
      ) : companies.isError ? (
        <ErrorAlert error={companies.error} onRetry={() => companies.refetch()} />
      ) : companies.data.companies.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("app.none")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table.ScrollContainer minWidth={480}>
            <Table verticalSpacing={6} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("c360.companyName")}</Table.Th>
                  <Table.Th>{t("c360.domain")}</Table.Th>
                  <Table.Th>{t("c360.contactsCount")}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {companies.data.companies.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>{c.name}</Table.Td>
                    <Table.Td>{c.domain ?? t("app.none")}</Table.Td>
                    <Table.Td>{c.contacts}</Table.Td>
                    <Table.Td>
                      <Stack align="flex-end">
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => remove.mutate(c.id)}
                        >
                          {t("c360.delete")}
                        </Button>
                      </Stack>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </PageBody>
  );
}
