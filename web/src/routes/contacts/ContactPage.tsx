import { Anchor, Avatar, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconArrowLeft } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { contactQuery } from "../../api/queries.js";
import { initials } from "../../app/HeaderControls.js";
import { AnchorLink } from "../../app/links.js";
import { PageBody } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime, languageName } from "../../lib/format.js";
import { usePageTitle } from "../../lib/usePageTitle.js";

/** One customer: how to reach them and in which language. */
export function ContactPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const { contactId } = useParams({ from: "/app/contacts/$contactId" });
  const contact = useQuery(contactQuery(contactId));
  usePageTitle(contact.data?.displayName ?? t("contacts.title"));
  return (
    <PageBody maw={900}>
      <AnchorLink to="/contacts" size="sm" mb="md" display="inline-flex" className="back-link">
        <IconArrowLeft size={14} /> {t("contacts.back")}
      </AnchorLink>
      {contact.isPending ? (
        <CenteredLoader />
      ) : contact.isError ? (
        <ErrorAlert error={contact.error} onRetry={() => contact.refetch()} />
      ) : (
        <Stack gap="md">
          <Group gap="md">
            <Avatar size={52} radius="xl" color="indigo" variant="light">
              {initials(contact.data.displayName)}
            </Avatar>
            <Title order={1} size="h3">
              {contact.data.displayName}
            </Title>
          </Group>
          <Paper withBorder p="md" radius="sm">
            <Title order={2} size="h5" mb="sm">
              {t("contacts.details")}
            </Title>
            <SimpleGrid
              cols={{ base: 1, sm: 2 }}
              spacing="sm"
              verticalSpacing="sm"
              component="dl"
              className="facts"
            >
              <Fact label={t("contacts.email")}>
                {contact.data.email ? (
                  <Anchor href={`mailto:${contact.data.email}`} size="sm">
                    {contact.data.email}
                  </Anchor>
                ) : (
                  t("app.none")
                )}
              </Fact>
              <Fact label={t("contacts.phone")}>{contact.data.phone ?? t("app.none")}</Fact>
              <Fact label={t("contacts.locale")}>
                {languageName(contact.data.locale, locale) ?? t("app.none")}
              </Fact>
              <Fact label={t("contacts.createdAt")}>{dateTime(contact.data.createdAt, locale)}</Fact>
              <Fact label={t("contacts.updatedAt")}>{dateTime(contact.data.updatedAt, locale)}</Fact>
            </SimpleGrid>
          </Paper>
        </Stack>
      )}
    </PageBody>
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
