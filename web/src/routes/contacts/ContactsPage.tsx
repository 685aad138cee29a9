import {
  Avatar,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconBuilding, IconLink, IconPlus, IconSearch } from "@tabler/icons-react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import {
  type Contact,
  type ContactFilter,
  companiesQuery,
  filteredContactsQuery,
  segmentMembersQuery,
  segmentsQuery,
} from "../../api/contacts.js";
import { useApiMutation } from "../../api/mutations.js";
import { initials } from "../../app/HeaderControls.js";
import { AnchorLink, ButtonLink } from "../../app/links.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { date } from "../../lib/format.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { ContactFormModal, type ContactFormValues } from "./ContactForm.js";

const consentFilters = [
  "marketing:given",
  "marketing:none",
  "service:given",
  "audience_matching:given",
] as const;
const channels = ["email", "webchat", "bluesky", "mastodon", "x", "facebook", "instagram"];

/** Contacts with filters (tag, company, consent, channel) and saved segments; the search is kept in the address. */
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
  const [tag, setTag] = useState<string | null>(null);
  const [companyId, setCompanyId] = useState<string | null>(null);
  const [consent, setConsent] = useState<string | null>(null);
  const [channel, setChannel] = useState<string | null>(null);
  const [segmentId, setSegmentId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [savingSegment, setSavingSegment] = useState(false);
  const filter: ContactFilter = {
    q: q || undefined,
    tag: tag ?? undefined,
    companyId: companyId ?? undefined,
    consent: consent ?? undefined,
    channel: channel ?? undefined,
  };
  const contacts = useQuery({
    ...filteredContactsQuery(filter),
    placeholderData: keepPreviousData,
    enabled: !segmentId,
  });
  const members = useQuery({ ...segmentMembersQuery(segmentId ?? ""), enabled: Boolean(segmentId) });
  const companies = useQuery(companiesQuery);
  const segments = useQuery(segmentsQuery);
  usePageTitle(t("contacts.title"));
  const list = segmentId ? members : contacts;

  return (
    <PageBody>
      <PageHeader
        title={t("contacts.title")}
        actions={
          <Group gap="xs">
            <ButtonLink to="/companies" variant="default" leftSection={<IconBuilding size={16} />}>
              {t("c360.companies")}
            </ButtonLink>
            <ButtonLink to="/identities" variant="default" leftSection={<IconLink size={16} />}>
              {t("c360.queue.title")}
            </ButtonLink>
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              {t("c360.newContact")}
            </Button>
          </Group>
        }
      />
      <SimpleGrid cols={{ base: 1, xs: 2, md: 6 }} spacing="xs" mb="md">
        <TextInput
          label={t("contacts.search")}
          placeholder={t("contacts.searchPlaceholder")}
          leftSection={<IconSearch size={16} />}
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
          type="search"
        />
        <TextInput
          label={t("c360.tag")}
          value={tag ?? ""}
          onChange={(event) => setTag(event.currentTarget.value.trim() || null)}
        />
        <Select
          label={t("c360.company")}
          placeholder={t("c360.any")}
          clearable
          data={(companies.data?.companies ?? []).map((c) => ({ value: c.id, label: c.name }))}
          value={companyId}
          onChange={setCompanyId}
        />
        <Select
          label={t("c360.consent")}
          placeholder={t("c360.any")}
          clearable
          data={consentFilters.map((value) => ({ value, label: t(`c360.consentFilter.${value}`) }))}
          value={consent}
          onChange={setConsent}
        />
        <Select
          label={t("c360.channel")}
          placeholder={t("c360.any")}
          clearable
          data={channels}
          value={channel}
          onChange={setChannel}
        />
        <Select
          label={t("c360.segment")}
          placeholder={t("c360.segmentPlaceholder")}
          clearable
          data={(segments.data?.segments ?? []).map((s) => ({
            value: s.id,
            label: `${s.name} (${t("c360.members", { count: s.members })})`,
          }))}
          value={segmentId}
          onChange={setSegmentId}
        />
      </SimpleGrid>
      <Group mb="md">
        <Button
          variant="light"
          size="xs"
          onClick={() => setSavingSegment(true)}
          disabled={Boolean(segmentId)}
        >
          {t("c360.saveSegment")}
        </Button>
      </Group>
      {list.isPending ? (
        <CenteredLoader />
      ) : list.isError ? (
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.contacts.length === 0 ? (
        <Text c="dimmed" size="sm" py="lg">
          {t("contacts.empty")}
        </Text>
      ) : (
        <ContactTable contacts={list.data.contacts} locale={locale} />
      )}
      {creating && <NewContactModal onClose={() => setCreating(false)} />}
      <SaveSegmentModal
        opened={savingSegment}
        onClose={() => setSavingSegment(false)}
        filter={filter}
        onSaved={(id) => setSegmentId(id)}
      />
    </PageBody>
  );
}

function ContactTable({ contacts, locale }: { contacts: Contact[]; locale: string }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder radius="sm" className="table-card">
      <Table.ScrollContainer minWidth={640}>
        <Table highlightOnHover verticalSpacing={6} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("contacts.name")}</Table.Th>
              <Table.Th>{t("contacts.email")}</Table.Th>
              <Table.Th>{t("c360.tags")}</Table.Th>
              <Table.Th>{t("contacts.createdAt")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {contacts.map((contact) => (
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
                <Table.Td>
                  <Group gap={4}>
                    {contact.tags.map((tag) => (
                      <Badge key={tag} size="sm" variant="light">
                        {tag}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>{date(contact.createdAt, locale)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function NewContactModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useApiMutation(
    ({ displayName, email, tags, attributes }: ContactFormValues) =>
      api<Contact>("/api/v1/contacts", { method: "POST", body: { displayName, email, tags, attributes } }),
    [["contacts"]],
  );
  return (
    <ContactFormModal
      title={t("c360.newContact")}
      submitLabel={t("c360.create")}
      pending={create.isPending}
      error={create.isError ? create.error : undefined}
      onSubmit={(values) =>
        create.mutate(values, {
          onSuccess: (created) => {
            onClose();
            void navigate({ to: "/contacts/$contactId", params: { contactId: created.id } });
          },
        })
      }
      onClose={onClose}
    />
  );
}

function SaveSegmentModal({
  opened,
  onClose,
  filter,
  onSaved,
}: {
  opened: boolean;
  onClose: () => void;
  filter: ContactFilter;
  onSaved: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const save = useApiMutation(() => {
    const [purpose, state] = filter.consent?.split(":") ?? [];
    return api<{ id: string }>("/api/v1/segments", {
      method: "POST",
      body: {
        name,
        filter: {
          q: filter.q,
          tags: filter.tag ? [filter.tag] : undefined,
          companyId: filter.companyId,
          channel: filter.channel,
          consent: purpose ? { purpose, state } : undefined,
        },
      },
    });
  }, [["segments"]]);
  return (
    <Modal opened={opened} onClose={onClose} title={t("c360.saveSegment")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(undefined, {
            onSuccess: (created) => {
              onSaved(created.id);
              onClose();
            },
          });
        }}
      >
        <Stack gap="sm">
          <TextInput
            label={t("c360.segmentName")}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          {save.isError && <ErrorAlert error={save.error} />}
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              {t("c360.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
