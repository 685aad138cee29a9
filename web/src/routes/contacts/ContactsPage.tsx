import { Avatar, Group, Paper, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { contactsQuery } from "../../api/queries.js";
import { initials } from "../../app/HeaderControls.js";
import { AnchorLink } from "../../app/links.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { date, languageName } from "../../lib/format.js";
import { usePageTitle } from "../../lib/usePageTitle.js";

/** Contacts by name, searchable by name or e-mail; the search is kept in the address. */
export function ContactsPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const search = useSearch({ from: "/app/contacts" });
  const navigate = useNavigate();
  const [text, setText] = useState(search.q ?? "");
  const [q] = useDebouncedValue(text.trim(), 250);
  useEffect(() => {
    if ((search.q ?? "") !== q) void navigate({ to: "/contacts", search: q ? { q } : {}, replace: true });
  }, [q, search.q, navigate]);
  const contacts = useQuery({ ...contactsQuery(q), placeholderData: keepPreviousData });
  usePageTitle(t("contacts.title"));

  return (
    <PageBody>
      <PageHeader title={t("contacts.title")} />
      <TextInput
        label={t("contacts.search")}
        placeholder={t("contacts.searchPlaceholder")}
        leftSection={<IconSearch size={16} />}
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        type="search"
        maw={420}
        mb="md"
      />
      {contacts.isPending ? (
        <CenteredLoader />
      ) : contacts.isError ? (
        <ErrorAlert error={contacts.error} onRetry={() => contacts.refetch()} />
      ) : contacts.data.contacts.length === 0 ? (
        <Text c="dimmed" size="sm" py="lg">
          {t("contacts.empty")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table.ScrollContainer minWidth={640}>
            <Table highlightOnHover verticalSpacing={6} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("contacts.name")}</Table.Th>
                  <Table.Th>{t("contacts.email")}</Table.Th>
                  <Table.Th>{t("contacts.phone")}</Table.Th>
                  <Table.Th>{t("contacts.locale")}</Table.Th>
                  <Table.Th>{t("contacts.createdAt")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {contacts.data.contacts.map((contact) => (
                  <Table.Tr key={contact.id}>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Avatar size={26} radius="xl" color="indigo" variant="light">
                          {initials(contact.displayName)}
                        </Avatar>
                        <AnchorLink
                          to="/contacts/$contactId"
                          params={{ contactId: contact.id }}
                          fw={500}
                          size="sm"
                        >
                          {contact.displayName}
                        </AnchorLink>
                      </Group>
                    </Table.Td>
                    <Table.Td>{contact.email ?? t("app.none")}</Table.Td>
                    <Table.Td>{contact.phone ?? t("app.none")}</Table.Td>
                    <Table.Td>{languageName(contact.locale, locale) ?? t("app.none")}</Table.Td>
                    <Table.Td>{date(contact.createdAt, locale)}</Table.Td>
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
