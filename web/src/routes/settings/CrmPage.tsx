import {
  Badge,
  Button,
  Checkbox,
  FileInput,
  Group,
  Paper,
  Progress,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { IconDownload, IconPlus, IconTrash, IconUpload } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../../api/client.js";
import { useApiMutation } from "../../api/mutations.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { downloadUrl } from "../../lib/download.js";
import { dateTime } from "../../lib/format.js";
import { ConfirmButton } from "./ConfirmButton.js";
import { SecretOnce } from "./SecretOnce.js";

interface ImportJob {
  id: string;
  fileName: string;
  headers: string[];
  status: "uploading" | "uploaded" | "running" | "completed" | "failed";
  rowsRead: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  error: string | null;
  createdAt: string;
}
interface Upload {
  import: ImportJob;
  preview: string[][];
  suggestedMapping: Record<string, string>;
}
interface Issue {
  line: number;
  outcome: "rejected" | "skipped";
  reason: string;
  field: string | null;
  duplicateOfLine: number | null;
}
interface Webhook {
  id: string;
  name: string;
  url: string;
  events: string[];
  allowHosts: string[];
  isActive: boolean;
}
interface Delivery {
  id: string;
  event: string;
  status: "pending" | "sending" | "sent" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  occurredAt: string;
}

const fields = ["displayName", "email", "phone", "locale", "tags", "company"] as const;
const events = [
  "contact.created",
  "contact.updated",
  "contact.deleted",
  "identity.linked",
  "consent.changed",
];

/** The file goes to the server as it is (streamed there), not as JSON. */
async function uploadCsv(file: File): Promise<Upload> {
  const response = await fetch(`/api/v1/crm/imports?fileName=${encodeURIComponent(file.name)}`, {
    method: "POST",
    headers: { "content-type": "text/csv", accept: "application/json" },
    body: file,
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => undefined);
  if (!response.ok) {
    throw new ApiError(
      response.status,
      data?.error?.code ?? "upload",
      data?.error?.message ?? response.statusText,
    );
  }
  return data as Upload;
}

/** Settings → CRM exchange: CSV import with mapping and report, export, webhooks with their log. */
export function CrmPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="xl">
      <PageHeader order={2} title={t("crm.tab")} description={t("crm.description")} />
      <ImportSection />
      <ExportSection />
      <WebhookSection />
    </Stack>
  );
}

function ImportSection() {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<Upload>();
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [onDuplicate, setOnDuplicate] = useState<"update" | "skip">("update");
  const [tagSeparator, setTagSeparator] = useState(";");
  const [jobId, setJobId] = useState<string>();
  const send = useApiMutation(uploadCsv, [["crm", "imports"]]);
  const run = useApiMutation(
    (id: string) =>
      api<ImportJob>(`/api/v1/crm/imports/${id}/run`, {
        method: "POST",
        body: { columns: mapping, onDuplicate, tagSeparator },
      }),
    [["crm", "imports"]],
  );
  const imports = useQuery({
    queryKey: ["crm", "imports"],
    queryFn: () => api<{ imports: ImportJob[] }>("/api/v1/crm/imports"),
  });
  const job = useQuery({
    queryKey: ["crm", "imports", jobId],
    queryFn: () => api<ImportJob>(`/api/v1/crm/imports/${jobId}`),
    enabled: Boolean(jobId),
    // Polled while it runs: the counts are the progress.
    refetchInterval: (query) => (query.state.data?.status === "running" ? 1000 : false),
  });
  const issues = useQuery({
    queryKey: ["crm", "imports", jobId, "issues"],
    queryFn: () => api<{ issues: Issue[] }>(`/api/v1/crm/imports/${jobId}/issues`, { query: { limit: 200 } }),
    enabled: Boolean(jobId) && (job.data?.status === "completed" || job.data?.status === "failed"),
  });
  const targets = (headers: string[]) => [
    { value: "ignore", label: t("crm.fields.ignore") },
    ...fields.map((f) => ({ value: f, label: t(`crm.fields.${f}`) })),
    ...headers.map((h) => {
      const name = h
        .replace(/^(attr|attribute):/i, "")
        .replace(/[^A-Za-z0-9_.-]/g, "_")
        .replace(/^[^A-Za-z]+/, "");
      return {
        value: `attribute:${name || "field"}`,
        label: t("crm.fields.attribute", { name: name || "field" }),
      };
    }),
  ];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    send.mutate(file, {
      onSuccess: (result) => {
        setUpload(result);
        setMapping(result.suggestedMapping);
        setJobId(undefined);
      },
    });
  };
  const current = job.data;
  const total = current ? current.created + current.updated + current.skipped + current.rejected : 0;
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        {t("crm.importTitle")}
      </Title>
      <Text size="sm" c="dimmed">
        {t("crm.importHint")}
      </Text>
      <Paper withBorder radius="sm" p="md">
        <form onSubmit={submit}>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <FileInput
              label={t("crm.chooseFile")}
              accept=".csv,text/csv"
              value={file}
              onChange={setFile}
              w={280}
              clearable
            />
            <Button
              type="submit"
              leftSection={<IconUpload size={16} />}
              loading={send.isPending}
              disabled={!file}
            >
              {t("crm.upload")}
            </Button>
          </Group>
        </form>
        {send.error && (
          <Stack mt="sm">
            <ErrorAlert error={send.error} />
          </Stack>
        )}
      </Paper>
      {upload && !jobId && (
        <Paper withBorder radius="sm" p="md">
          <Stack gap="sm">
            <Text fw={500} size="sm">
              {t("crm.preview")}
            </Text>
            <Table.ScrollContainer minWidth={480}>
              <Table fz="xs" withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    {upload.import.headers.map((h) => (
                      <Table.Th key={h}>{h}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {upload.preview.map((row, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: preview rows have no identity
                    <Table.Tr key={i}>
                      {upload.import.headers.map((h, j) => (
                        <Table.Td key={h}>{row[j]}</Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Text fw={500} size="sm">
              {t("crm.mapping")}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
              {upload.import.headers.map((h) => (
                <Select
                  key={h}
                  label={h}
                  data={targets([h])}
                  value={mapping[h] ?? "ignore"}
                  onChange={(value) => setMapping((m) => ({ ...m, [h]: value ?? "ignore" }))}
                  allowDeselect={false}
                />
              ))}
            </SimpleGrid>
            <Group gap="xl" wrap="wrap" align="flex-start">
              <Radio.Group
                label={t("crm.onDuplicate")}
                value={onDuplicate}
                onChange={(value) => setOnDuplicate(value as "update" | "skip")}
              >
                <Stack gap={4} mt={4}>
                  <Radio value="update" label={t("crm.duplicateUpdate")} />
                  <Radio value="skip" label={t("crm.duplicateSkip")} />
                </Stack>
              </Radio.Group>
              <TextInput
                label={t("crm.tagSeparator")}
                value={tagSeparator}
                onChange={(e) => setTagSeparator(e.currentTarget.value)}
                maxLength={3}
                w={120}
              />
            </Group>
            {run.error && <ErrorAlert error={run.error} />}
            <Group>
              <Button
                onClick={() => run.mutate(upload.import.id, { onSuccess: (started) => setJobId(started.id) })}
                loading={run.isPending}
              >
                {t("crm.run")}
              </Button>
            </Group>
          </Stack>
        </Paper>
      )}
      {current && (
        <Paper withBorder radius="sm" p="md">
          <Stack gap="sm">
            <Group justify="space-between">
              <Text fw={500} size="sm">
                {t("crm.progress")}: {current.fileName}
              </Text>
              <Badge
                variant="light"
                color={current.status === "failed" ? "red" : current.status === "running" ? "blue" : "teal"}
              >
                {t(`crm.importStatus.${current.status}`)}
              </Badge>
            </Group>
            {current.status === "running" && <Progress value={100} animated striped />}
            <SimpleGrid cols={{ base: 2, sm: 5 }}>
              {(["rowsRead", "created", "updated", "skipped", "rejected"] as const).map((k) => (
                <div key={k}>
                  <Text size="xs" c="dimmed">
                    {t(`crm.${k}`)}
                  </Text>
                  <Text fw={600}>{current[k]}</Text>
                </div>
              ))}
            </SimpleGrid>
            {current.error && (
              <Text c="red" size="sm">
                {current.error}
              </Text>
            )}
            {issues.data && (
              <>
                <Text fw={500} size="sm">
                  {t("crm.issues")} {total > 0 ? `(${current.rejected + current.skipped})` : ""}
                </Text>
                {issues.data.issues.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    {t("crm.noIssues")}
                  </Text>
                ) : (
                  <Table.ScrollContainer minWidth={360}>
                    <Table fz="sm" verticalSpacing={4}>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>{t("crm.line")}</Table.Th>
                          <Table.Th>{t("crm.reason")}</Table.Th>
                          <Table.Th>{t("crm.field")}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {issues.data.issues.map((issue) => (
                          <Table.Tr key={issue.line}>
                            <Table.Td>{issue.line}</Table.Td>
                            <Table.Td>
                              {t(`crm.reasons.${issue.reason}` as "crm.reasons.missing_name", {
                                line: issue.duplicateOfLine,
                                defaultValue: issue.reason,
                              })}
                            </Table.Td>
                            <Table.Td>
                              {issue.field?.startsWith("attribute:")
                                ? t("crm.fields.attribute", { name: issue.field.slice("attribute:".length) })
                                : issue.field
                                  ? t(`crm.fields.${issue.field}` as "crm.fields.email", issue.field)
                                  : ""}
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                )}
              </>
            )}
          </Stack>
        </Paper>
      )}
      {imports.data && imports.data.imports.length > 0 && (
        <Paper withBorder radius="sm" className="table-card">
          <Table.ScrollContainer minWidth={560}>
            <Table fz="sm" verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("crm.recentImports")}</Table.Th>
                  <Table.Th>{t("crm.created")}</Table.Th>
                  <Table.Th>{t("crm.updated")}</Table.Th>
                  <Table.Th>{t("crm.rejected")}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {imports.data.imports.map((i) => (
                  <Table.Tr key={i.id} onClick={() => setJobId(i.id)} style={{ cursor: "pointer" }}>
                    <Table.Td>
                      {i.fileName} · {dateTime(i.createdAt, locale)}
                    </Table.Td>
                    <Table.Td>{i.created}</Table.Td>
                    <Table.Td>{i.updated}</Table.Td>
                    <Table.Td>{i.rejected}</Table.Td>
                    <Table.Td>
                      <Badge size="sm" variant="light">
                        {t(`crm.importStatus.${i.status}`)}
                      </Badge>
                    </Table.Td>
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

function ExportSection() {
  const { t } = useTranslation();
  const date = new Date().toISOString().slice(0, 10);
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        {t("crm.exportTitle")}
      </Title>
      <Text size="sm" c="dimmed">
        {t("crm.exportHint")}
      </Text>
      <Group gap="sm">
        <Button
          variant="default"
          leftSection={<IconDownload size={16} />}
          onClick={() => downloadUrl("/api/v1/crm/contacts/export?format=csv", `contacts-${date}.csv`)}
        >
          {t("crm.exportCsv")}
        </Button>
        <Button
          variant="default"
          leftSection={<IconDownload size={16} />}
          onClick={() => downloadUrl("/api/v1/crm/contacts/export?format=json", `contacts-${date}.json`)}
        >
          {t("crm.exportJson")}
        </Button>
      </Group>
    </Stack>
  );
}

function WebhookSection() {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const webhooks = useQuery({
    queryKey: ["crm", "webhooks"],
    queryFn: () => api<{ webhooks: Webhook[] }>("/api/v1/crm/webhooks"),
  });
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [chosen, setChosen] = useState<string[]>(events);
  const [allowHosts, setAllowHosts] = useState<string[]>([]);
  const [secret, setSecret] = useState<string>();
  const [selected, setSelected] = useState<string>();
  const create = useApiMutation(
    (body: object) => api<Webhook & { secret: string }>("/api/v1/crm/webhooks", { method: "POST", body }),
    [["crm", "webhooks"]],
  );
  const update = useApiMutation(
    ({ id, isActive }: { id: string; isActive: boolean }) =>
      api(`/api/v1/crm/webhooks/${id}`, { method: "PATCH", body: { isActive } }),
    [["crm", "webhooks"]],
  );
  const remove = useApiMutation(
    (id: string) => api(`/api/v1/crm/webhooks/${id}`, { method: "DELETE" }),
    [["crm", "webhooks"]],
  );
  const deliveries = useQuery({
    queryKey: ["crm", "webhooks", selected, "deliveries"],
    queryFn: () => api<{ deliveries: Delivery[] }>(`/api/v1/crm/webhooks/${selected}/deliveries`),
    enabled: Boolean(selected),
    refetchInterval: 5000,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), url: url.trim(), events: chosen, allowHosts },
      {
        onSuccess: (created) => {
          setSecret(created.secret);
          setName("");
          setUrl("");
          setSelected(created.id);
        },
      },
    );
  };
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        {t("crm.webhooksTitle")}
      </Title>
      <Text size="sm" c="dimmed">
        {t("crm.webhooksHint")}
      </Text>
      <Paper withBorder radius="sm" p="md">
        <form onSubmit={submit}>
          <Stack gap="sm">
            <Group gap="sm" wrap="wrap" align="flex-end">
              <TextInput
                label={t("crm.name")}
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                required
                maxLength={100}
                w={200}
              />
              <TextInput
                label={t("crm.url")}
                value={url}
                onChange={(e) => setUrl(e.currentTarget.value)}
                required
                type="url"
                placeholder="https://crm.example.com/konversa"
                style={{ flex: 1, minWidth: 240 }}
              />
            </Group>
            <Checkbox.Group label={t("crm.events")} value={chosen} onChange={setChosen}>
              <Group gap="md" mt={4} wrap="wrap">
                {events.map((e) => (
                  <Checkbox key={e} value={e} label={e} />
                ))}
              </Group>
            </Checkbox.Group>
            <TagsInput
              label={t("crm.allowHosts")}
              description={t("crm.allowHostsHint")}
              value={allowHosts}
              onChange={setAllowHosts}
              maxTags={20}
            />
            <Group>
              <Button
                type="submit"
                leftSection={<IconPlus size={16} />}
                loading={create.isPending}
                disabled={!name.trim() || !url.trim() || chosen.length === 0}
              >
                {t("crm.addWebhook")}
              </Button>
            </Group>
            {create.error && <ErrorAlert error={create.error} />}
          </Stack>
        </form>
      </Paper>
      {secret && (
        <SecretOnce
          title={t("crm.secretTitle")}
          hint={t("crm.secretOnce")}
          value={secret}
          onClose={() => setSecret(undefined)}
        />
      )}
      {webhooks.isPending ? (
        <CenteredLoader />
      ) : webhooks.isError ? (
        <ErrorAlert error={webhooks.error} onRetry={() => webhooks.refetch()} />
      ) : webhooks.data.webhooks.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("crm.noWebhooks")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table.ScrollContainer minWidth={560}>
            <Table fz="sm" verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("crm.name")}</Table.Th>
                  <Table.Th>{t("crm.events")}</Table.Th>
                  <Table.Th>{t("crm.active")}</Table.Th>
                  <Table.Th w={120} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {webhooks.data.webhooks.map((hook) => (
                  <Table.Tr
                    key={hook.id}
                    bg={selected === hook.id ? "var(--mantine-color-gray-light)" : undefined}
                  >
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {hook.name}
                      </Text>
                      <Text size="xs" c="dimmed" style={{ wordBreak: "break-all" }}>
                        {hook.url}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs">{hook.events.join(", ")}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        checked={hook.isActive}
                        aria-label={`${t("crm.active")}: ${hook.name}`}
                        onChange={(e) => update.mutate({ id: hook.id, isActive: e.currentTarget.checked })}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Button size="xs" variant="subtle" onClick={() => setSelected(hook.id)}>
                          {t("crm.deliveries")}
                        </Button>
                        <ConfirmButton
                          icon={<IconTrash size={16} />}
                          label={`${t("crm.removeWebhook")}: ${hook.name}`}
                          title={t("crm.removeWebhook")}
                          message={`${t("crm.removeWebhook")}: ${hook.name}?`}
                          confirmLabel={t("app.remove")}
                          onConfirm={() => remove.mutate(hook.id)}
                        />
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      {selected && deliveries.data && (
        <Paper withBorder radius="sm" className="table-card">
          {deliveries.data.deliveries.length === 0 ? (
            <Text size="sm" c="dimmed" p="md">
              {t("crm.noDeliveries")}
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table fz="sm" verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("crm.occurred")}</Table.Th>
                    <Table.Th>{t("crm.event")}</Table.Th>
                    <Table.Th>{t("retention.status")}</Table.Th>
                    <Table.Th>{t("crm.attempts")}</Table.Th>
                    <Table.Th>{t("crm.answer")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {deliveries.data.deliveries.map((d) => (
                    <Table.Tr key={d.id}>
                      <Table.Td>{dateTime(d.occurredAt, locale)}</Table.Td>
                      <Table.Td>{d.event}</Table.Td>
                      <Table.Td>
                        <Badge
                          size="sm"
                          variant="light"
                          color={d.status === "sent" ? "teal" : d.status === "failed" ? "red" : "yellow"}
                        >
                          {t(`crm.deliveryStatus.${d.status}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{d.attempts}</Table.Td>
                      <Table.Td>
                        <Text size="xs">{[d.lastStatusCode, d.lastError].filter(Boolean).join(" · ")}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Paper>
      )}
    </Stack>
  );
}
