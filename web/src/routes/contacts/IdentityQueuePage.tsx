import {
  Alert,
  Badge,
  Button,
  Group,
  NumberInput,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import type { IdentityCandidate } from "../../api/contacts.js";
import { useApiMutation } from "../../api/mutations.js";
import { AnchorLink } from "../../app/links.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { usePageTitle } from "../../lib/usePageTitle.js";

interface Settings {
  certainty: number;
  autoLinkCertainty: number | null;
  customerNumberAttribute: string;
}

/** The organization's identity-resolution queue: likely candidates first, the thresholds, automatic linking. */
export function IdentityQueuePage() {
  const { t } = useTranslation();
  usePageTitle(t("c360.queue.title"));
  const queue = useQuery({
    queryKey: ["identity-candidates"],
    queryFn: ({ signal }) =>
      api<{
        certainty: number;
        notice?: string;
        candidates: Array<IdentityCandidate & { contact: { id: string; displayName: string } }>;
      }>("/api/v1/identity-candidates", { query: { minScore: 0.5, limit: 200 }, signal }),
  });
  return (
    <PageBody>
      <PageHeader title={t("c360.queue.title")} description={t("c360.queue.description")} />
      <Stack gap="md">
        <SettingsForm />
        {queue.isPending ? (
          <CenteredLoader />
        ) : queue.isError ? (
          <ErrorAlert error={queue.error} onRetry={() => queue.refetch()} />
        ) : queue.data.notice ? (
          <Alert color="yellow" variant="light">
            {queue.data.notice}
          </Alert>
        ) : queue.data.candidates.length === 0 ? (
          <Text c="dimmed" size="sm">
            {t("c360.noCandidates")}
          </Text>
        ) : (
          <Paper withBorder radius="sm" className="table-card">
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing={6} fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("c360.queue.identity")}</Table.Th>
                    <Table.Th>{t("c360.queue.contact")}</Table.Th>
                    <Table.Th>{t("c360.queue.score")}</Table.Th>
                    <Table.Th>{t("c360.queue.evidence")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {queue.data.candidates.map((c) => (
                    <Table.Tr key={`${c.identityId}:${c.contactId}`}>
                      <Table.Td style={{ overflowWrap: "anywhere" }}>
                        {c.identity.network} · {c.identity.handle}
                      </Table.Td>
                      <Table.Td>
                        <AnchorLink to="/contacts/$contactId" params={{ contactId: c.contactId }} size="sm">
                          {c.contact.displayName}
                        </AnchorLink>
                      </Table.Td>
                      <Table.Td>
                        <Badge color={c.likely ? "green" : "gray"} variant="light">
                          {c.score.toFixed(2)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {c.evidence.map((e) => (
                            <Badge key={e.kind} size="xs" variant="dot">
                              {t(
                                `c360.evidence.${e.kind}` as "c360.evidence.email_exact",
                                e as Record<string, unknown>,
                              )}
                            </Badge>
                          ))}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
      </Stack>
    </PageBody>
  );
}

function SettingsForm() {
  const { t } = useTranslation();
  const settings = useQuery({
    queryKey: ["identity-resolution-settings"],
    queryFn: ({ signal }) => api<Settings>("/api/v1/settings/identity-resolution", { signal }),
  });
  const [certainty, setCertainty] = useState<number>(0.8);
  const [auto, setAuto] = useState<number | "">("");
  const [attribute, setAttribute] = useState("customer_number");
  useEffect(() => {
    if (!settings.data) return;
    setCertainty(settings.data.certainty);
    setAuto(settings.data.autoLinkCertainty ?? "");
    setAttribute(settings.data.customerNumberAttribute);
  }, [settings.data]);
  const save = useApiMutation(
    () =>
      api("/api/v1/settings/identity-resolution", {
        method: "PUT",
        body: { certainty, autoLinkCertainty: auto === "" ? null : auto, customerNumberAttribute: attribute },
      }),
    [["identity-resolution-settings"], ["identity-candidates"]],
  );
  const autoLink = useApiMutation(
    () =>
      api<{ linked: number; withoutLegalBasis: number; belowCertainty: number }>(
        "/api/v1/identity-candidates/auto-link",
        { method: "POST" },
      ),
    [["identity-candidates"]],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Paper withBorder p="md" radius="sm">
      <form onSubmit={submit}>
        <Group align="flex-end" gap="sm" wrap="wrap">
          <NumberInput
            label={t("c360.queue.certainty")}
            min={0.5}
            max={1}
            step={0.05}
            decimalScale={2}
            value={certainty}
            onChange={(v) => setCertainty(Number(v))}
          />
          <NumberInput
            label={t("c360.queue.autoLink")}
            description={t("c360.queue.autoLinkHint")}
            min={0.9}
            max={1}
            step={0.01}
            decimalScale={2}
            value={auto}
            onChange={(v) => setAuto(v === "" ? "" : Number(v))}
          />
          <TextInput
            label={t("c360.queue.attribute")}
            value={attribute}
            onChange={(e) => setAttribute(e.currentTarget.value)}
          />
          <Button type="submit" loading={save.isPending}>
            {t("c360.save")}
          </Button>
          <Button variant="light" onClick={() => autoLink.mutate()} loading={autoLink.isPending}>
            {t("c360.queue.runAutoLink")}
          </Button>
        </Group>
      </form>
      {(save.isError || autoLink.isError) && <ErrorAlert error={save.error ?? autoLink.error} />}
      {autoLink.data && (
        <Text size="sm" mt="sm">
          {t("c360.queue.autoLinkResult", autoLink.data)}
        </Text>
      )}
    </Paper>
  );
}
