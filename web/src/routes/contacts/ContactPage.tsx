import {
  Alert,
  Anchor,
  Avatar,
  Badge,
  Button,
  Code,
  Grid,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { IconArrowLeft } from "@tabler/icons-react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import {
  type ContactDetail,
  candidatesQuery,
  contactDetailQuery,
  type IdentityCandidate,
  notesQuery,
  type TimelineEvent,
  timelineQuery,
} from "../../api/contacts.js";
import { useApiMutation } from "../../api/mutations.js";
import { initials } from "../../app/HeaderControls.js";
import { AnchorLink } from "../../app/links.js";
import { PageBody } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime, languageName } from "../../lib/format.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { ContactFormModal, type ContactFormValues } from "./ContactForm.js";

/** Customer 360: details, identities, candidates, notes and the timeline of one customer. */
export function ContactPage() {
  const { t } = useTranslation();
  const { contactId } = useParams({ from: "/app/contacts/$contactId" });
  const contact = useQuery(contactDetailQuery(contactId));
  usePageTitle(contact.data?.displayName ?? t("contacts.title"));
  return (
    <PageBody maw={1200}>
      <AnchorLink to="/contacts" size="sm" mb="md" display="inline-flex" className="back-link">
        <IconArrowLeft size={14} /> {t("contacts.back")}
      </AnchorLink>
      {contact.isPending ? (
        <CenteredLoader />
      ) : contact.isError ? (
        <ErrorAlert error={contact.error} onRetry={() => contact.refetch()} />
      ) : (
        <Grid gap="md">
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack gap="md">
              <Details contact={contact.data} />
              <Identities contact={contact.data} />
              {contact.data.dataUseMode !== "none" && <Candidates contactId={contactId} />}
              <Notes contactId={contactId} />
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 7 }}>
            <Timeline contactId={contactId} />
          </Grid.Col>
        </Grid>
      )}
    </PageBody>
  );
}

function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="sm" component="section" aria-label={title}>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          {title}
        </Title>
        {actions}
      </Group>
      {children}
    </Paper>
  );
}

function Details({ contact }: { contact: ContactDetail }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const [editing, setEditing] = useState(false);
  return (
    <Section
      title={t("contacts.details")}
      actions={
        <Button size="compact-sm" variant="light" onClick={() => setEditing(true)}>
          {t("c360.edit")}
        </Button>
      }
    >
      <Group gap="md" mb="md">
        <Avatar size={52} radius="xl" color="indigo" variant="light">
          {initials(contact.displayName)}
        </Avatar>
        <Title order={1} size="h3">
          {contact.displayName}
        </Title>
      </Group>
      <SimpleGrid
        cols={{ base: 1, sm: 2 }}
        spacing="sm"
        verticalSpacing="sm"
        component="dl"
        className="facts"
      >
        <Fact label={t("contacts.email")}>
          {contact.email ? (
            <Anchor href={`mailto:${contact.email}`} size="sm">
              {contact.email}
            </Anchor>
          ) : (
            t("app.none")
          )}
        </Fact>
        <Fact label={t("contacts.phone")}>{contact.phone ?? t("app.none")}</Fact>
        <Fact label={t("contacts.locale")}>{languageName(contact.locale, locale) ?? t("app.none")}</Fact>
        <Fact label={t("c360.company")}>{contact.company?.name ?? t("app.none")}</Fact>
        <Fact label={t("c360.tags")}>
          {contact.tags.length === 0 ? (
            t("app.none")
          ) : (
            <Group gap={4}>
              {contact.tags.map((tag) => (
                <Badge key={tag} size="sm" variant="light">
                  {tag}
                </Badge>
              ))}
            </Group>
          )}
        </Fact>
        <Fact label={t("contacts.updatedAt")}>{dateTime(contact.updatedAt, locale)}</Fact>
        {Object.entries(contact.attributes).map(([key, value]) => (
          <Fact key={key} label={key}>
            {value}
          </Fact>
        ))}
      </SimpleGrid>
      {editing && <EditContact contact={contact} onClose={() => setEditing(false)} />}
    </Section>
  );
}

function EditContact({ contact, onClose }: { contact: ContactDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const save = useApiMutation(
    (values: ContactFormValues) => api(`/api/v1/contacts/${contact.id}`, { method: "PATCH", body: values }),
    [["contact", contact.id], ["contacts"]],
  );
  return (
    <ContactFormModal
      title={t("c360.edit")}
      submitLabel={t("c360.save")}
      initial={contact}
      complete
      pending={save.isPending}
      error={save.isError ? save.error : undefined}
      onSubmit={(values) => save.mutate(values, { onSuccess: onClose })}
      onClose={onClose}
    />
  );
}

function Identities({ contact }: { contact: ContactDetail }) {
  const { t } = useTranslation();
  const [network, setNetwork] = useState<string | null>("email");
  const [handle, setHandle] = useState("");
  const add = useApiMutation(
    () => api(`/api/v1/contacts/${contact.id}/identities`, { method: "POST", body: { network, handle } }),
    [["contact", contact.id]],
  );
  const unlink = useApiMutation(
    (identityId: string) =>
      api(`/api/v1/contacts/${contact.id}/identities/${identityId}`, { method: "DELETE" }),
    [["contact", contact.id]],
  );
  return (
    <Section title={contact.dataUseMode === "linked" ? t("c360.identitiesSeparate") : t("c360.identities")}>
      <Stack gap="xs">
        {contact.identities.length === 0 && (
          <Text size="sm" c="dimmed">
            {t("c360.noIdentities")}
          </Text>
        )}
        {contact.identities.map((i) => (
          <Group key={i.id} justify="space-between" wrap="nowrap">
            <Text size="sm" style={{ overflowWrap: "anywhere" }}>
              <Badge size="sm" variant="outline" mr={6}>
                {i.network}
              </Badge>
              {i.handle}
              {i.displayName ? ` · ${i.displayName}` : ""}
            </Text>
            <Button size="compact-xs" variant="subtle" color="red" onClick={() => unlink.mutate(i.id)}>
              {t("c360.unlink")}
            </Button>
          </Group>
        ))}
        <form
          onSubmit={(event) => {
            event.preventDefault();
            add.mutate(undefined, { onSuccess: () => setHandle("") });
          }}
        >
          <Group gap="xs" align="flex-end" wrap="wrap">
            <Select
              label={t("c360.network")}
              w={130}
              data={["email", "webchat", "bluesky", "mastodon", "x", "facebook", "instagram"]}
              value={network}
              onChange={setNetwork}
            />
            <TextInput
              label={t("c360.handle")}
              value={handle}
              onChange={(e) => setHandle(e.currentTarget.value)}
            />
            <Button type="submit" variant="light" disabled={!handle.trim()} loading={add.isPending}>
              {t("c360.addIdentity")}
            </Button>
          </Group>
        </form>
        {(add.isError || unlink.isError) && <ErrorAlert error={add.error ?? unlink.error} />}
      </Stack>
    </Section>
  );
}

function Candidates({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const candidates = useQuery(candidatesQuery(contactId, true));
  return (
    <Section title={t("c360.candidates")}>
      <Text size="xs" c="dimmed" mb="sm">
        {t("c360.candidatesHelp")}
      </Text>
      {candidates.isPending ? (
        <CenteredLoader />
      ) : candidates.isError ? (
        <ErrorAlert error={candidates.error} />
      ) : candidates.data.candidates.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("c360.noCandidates")}
        </Text>
      ) : (
        <Stack gap="sm" role="list" aria-label={t("c360.candidates")}>
          {candidates.data.candidates.map((c) => (
            <CandidateCard key={c.identityId} contactId={contactId} candidate={c} />
          ))}
        </Stack>
      )}
    </Section>
  );
}

function CandidateCard({ contactId, candidate }: { contactId: string; candidate: IdentityCandidate }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const [reason, setReason] = useState("");
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  const refresh = [["contact", contactId]];
  const decide = useApiMutation(
    (decision: "confirm" | "reject") =>
      api(`/api/v1/contacts/${contactId}/identity-decisions`, {
        method: "POST",
        body: { identityId: candidate.identityId, decision, reason: reason || undefined },
      }),
    refresh,
  );
  const optIn = useApiMutation(
    () =>
      api<{ url: string; expiresAt: string }>(`/api/v1/contacts/${contactId}/opt-in-links`, {
        method: "POST",
        body: { identityId: candidate.identityId, locale: locale === "de" ? "de" : "en" },
      }),
    [],
  );
  return (
    <Paper withBorder p="sm" radius="sm" role="listitem">
      <Group justify="space-between" wrap="wrap" gap={4} mb={4}>
        <Text size="sm" fw={500} style={{ overflowWrap: "anywhere" }}>
          <Badge size="sm" variant="outline" mr={6}>
            {candidate.identity.network}
          </Badge>
          {candidate.identity.handle}
          {candidate.identity.displayName ? ` · ${candidate.identity.displayName}` : ""}
        </Text>
        <Badge color={candidate.likely ? "green" : "gray"} variant="light" style={{ flexShrink: 0 }}>
          {candidate.likely ? t("c360.likely") : t("c360.possible")} ·{" "}
          {t("c360.score", { score: candidate.score.toFixed(2) })}
        </Badge>
      </Group>
      <Group gap={4} mb="xs">
        {candidate.evidence.map((e) => (
          <Badge key={e.kind} size="xs" variant="dot">
            {t(`c360.evidence.${e.kind}` as "c360.evidence.email_exact", e as Record<string, unknown>)}
          </Badge>
        ))}
      </Group>
      <TextInput
        size="xs"
        aria-label={t("c360.reason")}
        placeholder={t("c360.reasonPlaceholder")}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        mb="xs"
      />
      <Group gap="xs">
        <Button size="compact-sm" onClick={() => decide.mutate("confirm")} loading={decide.isPending}>
          {t("c360.confirm")}
        </Button>
        <Button size="compact-sm" variant="default" onClick={() => decide.mutate("reject")}>
          {t("c360.reject")}
        </Button>
        <Button
          size="compact-sm"
          variant="light"
          onClick={() => optIn.mutate(undefined, { onSuccess: setLink })}
        >
          {t("c360.sendOptIn")}
        </Button>
      </Group>
      {(decide.isError || optIn.isError) && <ErrorAlert error={decide.error ?? optIn.error} />}
      {link && (
        <Alert
          mt="xs"
          color="indigo"
          variant="light"
          title={t("c360.optInCreated", { date: dateTime(link.expiresAt, locale) })}
        >
          <Code block data-testid="opt-in-url" style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
            {link.url}
          </Code>
        </Alert>
      )}
    </Paper>
  );
}

function Notes({ contactId }: { contactId: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const notes = useQuery(notesQuery(contactId));
  const [body, setBody] = useState("");
  const write = useApiMutation(
    () => api(`/api/v1/contacts/${contactId}/notes`, { method: "POST", body: { body } }),
    [["contact", contactId]],
  );
  return (
    <Section title={t("c360.notes")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          write.mutate(undefined, { onSuccess: () => setBody("") });
        }}
      >
        <Textarea
          aria-label={t("c360.notes")}
          placeholder={t("c360.notePlaceholder")}
          autosize
          minRows={2}
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
        />
        <Group justify="flex-end" mt="xs">
          <Button size="compact-sm" type="submit" disabled={!body.trim()} loading={write.isPending}>
            {t("c360.addNote")}
          </Button>
        </Group>
      </form>
      <Stack gap="xs" mt="sm">
        {(notes.data?.notes ?? []).map((n) => (
          <Paper key={n.id} bg="var(--mantine-color-gray-light)" p="xs" radius="sm">
            <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
              {n.body}
            </Text>
            <Text size="xs" c="dimmed">
              {dateTime(n.createdAt, locale)}
            </Text>
          </Paper>
        ))}
      </Stack>
    </Section>
  );
}

function eventTitle(e: TimelineEvent, translate: ReturnType<typeof useTranslation>["t"]): string {
  // A plain signature: the full resource type makes these calls too deep for the compiler.
  const t = translate as unknown as (key: string, options?: Record<string, unknown>) => string;
  switch (e.kind) {
    case "mention":
      return t("c360.event.mention", { network: e.network });
    case "message":
      return t(`c360.event.message_${e.direction}`);
    case "conversation":
      return t("c360.event.conversation", { channel: e.channelType });
    case "consent":
      return t("c360.event.consent", { purpose: e.purpose, state: e.state, source: e.source });
    case "identity_link":
      return t("c360.event.identity_link", {
        network: e.network,
        handle: e.handle,
        decision: e.decision,
        source: e.source,
      });
    case "note":
      return t("c360.event.note");
    case "crm":
      return t("c360.event.crm", { action: e.action });
  }
}

function eventText(e: TimelineEvent): string | null {
  switch (e.kind) {
    case "mention":
      return e.text;
    case "message":
      return e.body;
    case "conversation":
      return e.subject;
    case "consent":
      return e.wording;
    case "identity_link":
      return e.reason;
    case "note":
      return e.body;
    case "crm":
      return e.fields.length > 0 ? e.fields.join(", ") : null;
  }
}

function Timeline({ contactId }: { contactId: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const timeline = useInfiniteQuery(timelineQuery(contactId));
  const events = timeline.data?.pages.flatMap((p) => p.events) ?? [];
  const omitted = timeline.data?.pages[0]?.omitted ?? [];
  return (
    <Section title={t("c360.timeline")}>
      {omitted.includes("mention") && (
        <Text size="xs" c="dimmed" mb="sm">
          {t("c360.timelineOmitted")}
        </Text>
      )}
      {timeline.isPending ? (
        <CenteredLoader />
      ) : timeline.isError ? (
        <ErrorAlert error={timeline.error} onRetry={() => timeline.refetch()} />
      ) : events.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("c360.noEvents")}
        </Text>
      ) : (
        <Stack
          gap="xs"
          component="ol"
          role="list"
          aria-label={t("c360.timeline")}
          className="timeline"
          p={0}
          m={0}
        >
          {events.map((e) => {
            const text = eventText(e);
            return (
              <Paper key={e.key} component="li" withBorder p="xs" radius="sm" style={{ listStyle: "none" }}>
                <Group justify="space-between" gap="xs" wrap="wrap">
                  <Text size="sm" fw={500}>
                    {eventTitle(e, t)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {dateTime(e.at, locale)}
                  </Text>
                </Group>
                {text && (
                  <Text size="sm" c="dimmed" lineClamp={4} style={{ whiteSpace: "pre-wrap" }}>
                    {text}
                  </Text>
                )}
              </Paper>
            );
          })}
        </Stack>
      )}
      {timeline.hasNextPage && (
        <Group justify="center" mt="sm">
          <Button
            variant="default"
            size="xs"
            onClick={() => timeline.fetchNextPage()}
            loading={timeline.isFetchingNextPage}
          >
            {t("c360.loadMore")}
          </Button>
        </Group>
      )}
    </Section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed" fw={500}>
        {label}
      </Text>
      <Text component="dd" size="sm" m={0}>
        {children}
      </Text>
    </div>
  );
}
