import {
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Tabs,
  Text,
  Textarea,
} from "@mantine/core";
import { IconMessagePlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { joinRequestsQuery, vocFacetsQuery, vocQuery } from "../../api/core.js";
import { useApiMutation } from "../../api/mutations.js";
import type { DialogJoinRequest, VocItem } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { relativeTime } from "../../lib/format.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { SentimentBadge } from "../inbox/Badges.js";

function VoiceTabs({ current }: { current: "stream" | "requests" }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Tabs
      value={current}
      onChange={(value) => navigate({ to: value === "requests" ? "/voice/requests" : "/voice" })}
      mb="md"
    >
      <Tabs.List>
        <Tabs.Tab value="stream">{t("core.voc.stream")}</Tabs.Tab>
        <Tabs.Tab value="requests">{t("core.voc.requests")}</Tabs.Tab>
      </Tabs.List>
    </Tabs>
  );
}

/** The voice of the customer for every employee: pseudonymised, masked, filterable by product and aspect. */
export function VoicePage() {
  const { t, i18n } = useTranslation();
  usePageTitle(t("core.voc.title"));
  const me = useMe();
  const [queryId, setQueryId] = useState<string | null>(null);
  const [aspect, setAspect] = useState<string | null>(null);
  const [sentiment, setSentiment] = useState<string | null>(null);
  const facets = useQuery(vocFacetsQuery);
  const stream = useQuery(
    vocQuery({
      queryId: queryId ?? undefined,
      aspect: aspect ?? undefined,
      sentiment: sentiment ?? undefined,
    }),
  );
  const [joining, setJoining] = useState<VocItem>();
  const remove = useApiMutation((id: string) => api(`/api/v1/voc/${id}`, { method: "DELETE" }), [["voc"]]);
  return (
    <PageBody maw={960}>
      <PageHeader title={t("core.voc.title")} description={t("core.voc.description")} />
      <VoiceTabs current="stream" />
      <Group gap="sm" mb="md" wrap="wrap">
        <Select
          aria-label={t("core.voc.product")}
          placeholder={t("core.voc.product")}
          data={(facets.data?.products ?? []).map((p) => ({ value: p.id, label: p.name }))}
          value={queryId}
          onChange={setQueryId}
          clearable
        />
        <Select
          aria-label={t("core.voc.aspect")}
          placeholder={t("core.voc.aspect")}
          data={facets.data?.aspects ?? []}
          value={aspect}
          onChange={setAspect}
          clearable
        />
        <Select
          aria-label={t("core.voc.sentiment")}
          placeholder={t("core.voc.sentiment")}
          data={(["negative", "neutral", "positive"] as const).map((s) => ({
            value: s,
            label: t(`inbox.sentiment.${s}`),
          }))}
          value={sentiment}
          onChange={setSentiment}
          clearable
        />
      </Group>
      {stream.error && <ErrorAlert error={stream.error} onRetry={() => stream.refetch()} />}
      {stream.isPending ? (
        <CenteredLoader />
      ) : stream.data?.length === 0 ? (
        <Text c="dimmed">{t("core.voc.empty")}</Text>
      ) : (
        <Stack
          component="ul"
          gap="sm"
          p={0}
          m={0}
          style={{ listStyle: "none" }}
          aria-label={t("core.voc.stream")}
        >
          {stream.data?.map((item) => (
            <Paper component="li" key={item.id} withBorder radius="sm" p="sm">
              <Stack gap={6}>
                <Group justify="space-between" gap="xs" wrap="wrap">
                  <Group gap={6} wrap="wrap">
                    <Text size="sm" fw={600} ff="monospace">
                      {item.authorPseudonym}
                    </Text>
                    <Badge size="xs" variant="default">
                      {item.network}
                    </Badge>
                    {item.products.map((p) => (
                      <Badge key={p.id} size="xs" variant="light" color="indigo">
                        {p.name}
                      </Badge>
                    ))}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {relativeTime(item.postedAt, i18n.language)}
                  </Text>
                </Group>
                <Text size="sm" className="mention-text">
                  {item.text}
                </Text>
                {item.curatorNote && (
                  <Text size="xs" c="dimmed" fs="italic">
                    {item.curatorNote}
                  </Text>
                )}
                <Group gap={6} wrap="wrap">
                  <SentimentBadge sentiment={item.sentiment} />
                  {item.aspects.map((a) => (
                    <Badge key={a.category} size="xs" variant="outline" className="compact-badge">
                      {a.category}
                    </Badge>
                  ))}
                  <Button
                    size="compact-xs"
                    variant="light"
                    leftSection={<IconMessagePlus size={14} />}
                    onClick={() => setJoining(item)}
                  >
                    {t("core.voc.join")}
                  </Button>
                  {me.canCurate && (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      onClick={() => remove.mutate(item.id)}
                    >
                      {t("core.voc.remove")}
                    </Button>
                  )}
                </Group>
              </Stack>
            </Paper>
          ))}
        </Stack>
      )}
      {joining && <JoinDialog item={joining} onClose={() => setJoining(undefined)} />}
    </PageBody>
  );
}

function JoinDialog({ item, onClose }: { item: VocItem; onClose: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState("");
  const ask = useApiMutation(
    () => api(`/api/v1/voc/${item.id}/join-requests`, { method: "POST", body: { reason } }),
    [["voc", "join-requests"]],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    ask.mutate(undefined, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={t("core.voc.joinTitle")}>
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Text size="sm" c="dimmed" lineClamp={3}>
            {item.text}
          </Text>
          <Textarea
            label={t("core.voc.reason")}
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
            autosize
            minRows={3}
            required
          />
          {ask.error && <ErrorAlert error={ask.error} />}
          <Button type="submit" loading={ask.isPending} disabled={!reason.trim()}>
            {t("core.voc.send")}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

/** Join requests: one's own with their answer; for agents and the core team, the ones to decide. */
export function JoinRequestsPage() {
  const { t, i18n } = useTranslation();
  usePageTitle(t("core.voc.requests"));
  const me = useMe();
  const requests = useQuery(joinRequestsQuery);
  return (
    <PageBody maw={960}>
      <PageHeader title={t("core.voc.title")} description={t("core.voc.description")} />
      <VoiceTabs current="requests" />
      {requests.error && <ErrorAlert error={requests.error} onRetry={() => requests.refetch()} />}
      {requests.isPending ? (
        <CenteredLoader />
      ) : requests.data?.length === 0 ? (
        <Text c="dimmed">{t("core.voc.noRequests")}</Text>
      ) : (
        <Stack gap="sm">
          {requests.data?.map((request) => (
            <JoinRequestCard
              key={request.id}
              request={request}
              canDecide={me.canWrite}
              locale={i18n.language}
            />
          ))}
        </Stack>
      )}
    </PageBody>
  );
}

function JoinRequestCard({
  request,
  canDecide,
  locale,
}: {
  request: DialogJoinRequest;
  canDecide: boolean;
  locale: string;
}) {
  const { t } = useTranslation();
  const [note, setNote] = useState("");
  const decide = useApiMutation(
    (decision: "approved" | "declined") =>
      api(`/api/v1/voc/join-requests/${request.id}`, { method: "PUT", body: { decision, note } }),
    [["voc", "join-requests"]],
  );
  const color = { pending: "yellow", approved: "teal", declined: "gray" }[request.state];
  return (
    <Paper withBorder radius="sm" p="sm">
      <Stack gap={6}>
        <Group justify="space-between" gap="xs">
          <Text size="sm" fw={600}>
            {request.requesterName}
          </Text>
          <Group gap={6}>
            <Badge size="sm" color={color} variant="light">
              {t(`core.voc.requestStates.${request.state}`)}
            </Badge>
            <Text size="xs" c="dimmed">
              {relativeTime(request.createdAt, locale)}
            </Text>
          </Group>
        </Group>
        <Text size="xs" c="dimmed" lineClamp={2}>
          {request.text}
        </Text>
        <Text size="sm">{request.reason}</Text>
        {request.decisionNote && (
          <Text size="sm" fs="italic">
            {request.decisionNote}
          </Text>
        )}
        {request.postUrl && (
          <Anchor href={request.postUrl} target="_blank" rel="noopener noreferrer" size="xs">
            {t("core.voc.openPost")}
          </Anchor>
        )}
        {canDecide && request.state === "pending" && (
          <Stack gap={6}>
            <Textarea
              aria-label={t("core.voc.decisionNote")}
              placeholder={t("core.voc.decisionNote")}
              value={note}
              onChange={(event) => setNote(event.currentTarget.value)}
              autosize
              minRows={1}
            />
            <Group gap="xs">
              <Button
                size="xs"
                color="teal"
                loading={decide.isPending}
                onClick={() => decide.mutate("approved")}
              >
                {t("core.voc.approve")}
              </Button>
              <Button
                size="xs"
                variant="default"
                loading={decide.isPending}
                onClick={() => decide.mutate("declined")}
              >
                {t("core.voc.decline")}
              </Button>
            </Group>
            {decide.error && <ErrorAlert error={decide.error} />}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
