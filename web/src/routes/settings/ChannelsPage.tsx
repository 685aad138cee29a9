import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import {
  IconCheck,
  IconKey,
  IconPencil,
  IconPlayerPause,
  IconPlayerPlay,
  IconPlugConnected,
  IconRefresh,
  IconShieldCheck,
  IconTrash,
  IconX,
} from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { useApiMutation } from "../../api/mutations.js";
import { allowedPrivateHostsQuery, channelAccountsQuery, connectorsQuery } from "../../api/queries.js";
import type { AllowedPrivateHost, ChannelAccount, ChannelType, ConnectorInfo } from "../../api/types.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime, relativeTime } from "../../lib/format.js";
import { useNow } from "../../lib/useNow.js";
import { ChannelIcon } from "../inbox/ChannelIcon.js";
import { AdminOnly } from "./AdminOnly.js";
import { ConfirmButton } from "./ConfirmButton.js";
import { ConnectorFields, type FieldValues, initialValues, toPayload } from "./ConnectorFields.js";

const accountsKey = ["channel-accounts"];

/**
 * Settings → Channels: the connected network accounts with their health (the network's own error
 * when failing), last poll and rate limit; connect, edit, renew credentials, pause, disconnect; and
 * the organization's allow-list of private hosts for the SSRF guard.
 */
export function ChannelsPage() {
  return (
    <AdminOnly>
      <ChannelsContent />
    </AdminOnly>
  );
}

function ChannelsContent() {
  const { t } = useTranslation();
  const accounts = useQuery(channelAccountsQuery);
  const connectors = useQuery(connectorsQuery);
  const [connecting, setConnecting] = useState(false);
  const byNetwork = useMemo(
    () => new Map((connectors.data ?? []).map((c) => [c.network, c] as const)),
    [connectors.data],
  );
  return (
    <Stack gap="lg">
      <PageHeader
        order={2}
        title={t("channelSettings.tab")}
        description={t("channelSettings.description")}
        actions={
          <Button
            leftSection={<IconPlugConnected size={16} />}
            onClick={() => setConnecting(true)}
            disabled={!connectors.data}
          >
            {t("channelSettings.connect")}
          </Button>
        }
      />
      {connectors.isError && <ErrorAlert error={connectors.error} onRetry={() => connectors.refetch()} />}
      {connecting && connectors.data && (
        <ConnectDialog connectors={connectors.data} onClose={() => setConnecting(false)} />
      )}
      <section aria-labelledby="channel-accounts-title">
        <Title order={3} size="h5" mb="sm" id="channel-accounts-title">
          {t("channelSettings.accounts")}
        </Title>
        {accounts.isPending ? (
          <CenteredLoader />
        ) : accounts.isError ? (
          <ErrorAlert error={accounts.error} onRetry={() => accounts.refetch()} />
        ) : accounts.data.length === 0 ? (
          <Text c="dimmed" size="sm">
            {t("channelSettings.empty")}
          </Text>
        ) : (
          <Stack
            component="ul"
            gap="sm"
            className="channel-accounts"
            aria-labelledby="channel-accounts-title"
          >
            {accounts.data.map((account) => (
              <AccountCard key={account.id} account={account} connector={byNetwork.get(account.network)} />
            ))}
          </Stack>
        )}
      </section>
      <AllowedHosts />
    </Stack>
  );
}

function useDialogFullScreen() {
  return useMediaQuery("(max-width: 48em)") ?? false;
}

function HealthBadge({ account }: { account: ChannelAccount }) {
  const { t } = useTranslation();
  const state = account.pausedAt ? "paused" : account.health;
  const color = { healthy: "teal", failing: "red", unknown: "gray", paused: "yellow" }[state];
  return (
    <Badge color={color} variant={state === "failing" ? "filled" : "light"} radius="sm" data-health={state}>
      {t(`channelSettings.health.${state}`)}
    </Badge>
  );
}

function AccountCard({ account, connector }: { account: ChannelAccount; connector?: ConnectorInfo }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const now = useNow(15_000);
  const [dialog, setDialog] = useState<"edit" | "rotate">();
  const check = useApiMutation(
    () => api(`/api/v1/settings/channel-accounts/${account.id}/check`, { method: "POST" }),
    [accountsKey],
  );
  const pause = useApiMutation(
    (paused: boolean) =>
      api(`/api/v1/settings/channel-accounts/${account.id}/paused`, { method: "PUT", body: { paused } }),
    [accountsKey],
  );
  const remove = useApiMutation(
    () => api(`/api/v1/settings/channel-accounts/${account.id}`, { method: "DELETE" }),
    [accountsKey, ["channels"]],
  );
  const when = (value: Date | string | null) =>
    value ? (
      <time dateTime={new Date(value).toISOString()} title={dateTime(value, locale)}>
        {relativeTime(value, locale, now)}
      </time>
    ) : (
      t("channelSettings.never")
    );
  const receives = connector?.receives ?? false;
  const credentialFields = connector?.fields.filter((f) => f.group === "credentials") ?? [];
  const rate = account.rateLimit;
  const error = check.error ?? pause.error ?? remove.error;
  return (
    <Paper component="li" withBorder radius="sm" p="md" className="channel-account" aria-label={account.name}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <ChannelIcon type={account.network as ChannelType} size={34} />
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Text fw={600} className="truncate">
                {account.name}
              </Text>
              <Text size="xs" c="dimmed" className="truncate">
                {t(`channels.${account.network}` as never, { defaultValue: account.network })}
                {account.displayName ? ` · ${account.displayName}` : ""}
              </Text>
            </Stack>
          </Group>
          <HealthBadge account={account} />
        </Group>
        {account.health === "failing" && account.lastError && (
          <Alert color="red" variant="light" p="xs" className="channel-error">
            <Text size="sm" className="channel-error-text">
              {account.lastError}
            </Text>
          </Alert>
        )}
        <Group gap="lg" wrap="wrap" className="channel-meta">
          {receives ? (
            <>
              <Text size="xs" c="dimmed">
                {t("channelSettings.lastPoll")}: {when(account.lastPolledAt)}
              </Text>
              {!account.pausedAt && (
                <Text size="xs" c="dimmed">
                  {t("channelSettings.nextPoll")}: {when(account.nextPollAt)}
                </Text>
              )}
            </>
          ) : (
            <Text size="xs" c="dimmed">
              {t("channelSettings.lastCheck")}: {when(account.lastCheckedAt)}
            </Text>
          )}
          {rate && rate.limit !== undefined && rate.remaining !== undefined && (
            <Text size="xs" c={rate.remaining === 0 ? "red" : "dimmed"} data-testid="rate-limit">
              {t("channelSettings.rateLimit")}:{" "}
              {t("channelSettings.rateLimitValue", { remaining: rate.remaining, limit: rate.limit })}
              {rate.resetAt
                ? `, ${t("channelSettings.rateLimitReset", { time: relativeTime(rate.resetAt, locale, now) })}`
                : ""}
            </Text>
          )}
        </Group>
        {account.failureCount > 0 && !account.pausedAt && (
          <Text size="xs" c="orange.8">
            {t("channelSettings.failures", { count: account.failureCount })}
          </Text>
        )}
        {error && <ErrorAlert error={error} />}
        <Group
          gap="xs"
          wrap="wrap"
          role="toolbar"
          aria-label={t("channelSettings.actions", { name: account.name })}
        >
          <Button
            size="xs"
            variant="default"
            leftSection={<IconRefresh size={14} />}
            loading={check.isPending}
            onClick={() => check.mutate(undefined)}
          >
            {t("channelSettings.check")}
          </Button>
          {connector && (
            <Button
              size="xs"
              variant="default"
              leftSection={<IconPencil size={14} />}
              onClick={() => setDialog("edit")}
            >
              {t("channelSettings.edit")}
            </Button>
          )}
          {credentialFields.length > 0 && (
            <Button
              size="xs"
              variant="default"
              leftSection={<IconKey size={14} />}
              onClick={() => setDialog("rotate")}
            >
              {t("channelSettings.rotate")}
            </Button>
          )}
          {receives && (
            <Button
              size="xs"
              variant="default"
              leftSection={account.pausedAt ? <IconPlayerPlay size={14} /> : <IconPlayerPause size={14} />}
              loading={pause.isPending}
              onClick={() => pause.mutate(!account.pausedAt)}
            >
              {account.pausedAt ? t("channelSettings.resume") : t("channelSettings.pause")}
            </Button>
          )}
          <ConfirmButton
            icon={<IconTrash size={16} />}
            label={`${t("channelSettings.remove")}: ${account.name}`}
            title={t("channelSettings.removeTitle")}
            message={t("channelSettings.removeConfirm", { name: account.name })}
            confirmLabel={t("channelSettings.remove")}
            loading={remove.isPending}
            onConfirm={() => remove.mutate(undefined)}
          />
        </Group>
      </Stack>
      {dialog === "edit" && connector && (
        <EditDialog account={account} connector={connector} onClose={() => setDialog(undefined)} />
      )}
      {dialog === "rotate" && connector && (
        <RotateDialog account={account} connector={connector} onClose={() => setDialog(undefined)} />
      )}
    </Paper>
  );
}

function ConnectDialog({ connectors, onClose }: { connectors: ConnectorInfo[]; onClose: () => void }) {
  const { t } = useTranslation();
  const fullScreen = useDialogFullScreen();
  const [network, setNetwork] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [settings, setSettings] = useState<FieldValues>({});
  const [credentials, setCredentials] = useState<FieldValues>({});
  const connector = connectors.find((c) => c.network === network);
  const settingFields = connector?.fields.filter((f) => f.group === "settings") ?? [];
  const credentialFields = connector?.fields.filter((f) => f.group === "credentials") ?? [];
  const body = () => ({
    network: network ?? "",
    settings: toPayload(settingFields, settings),
    credentials: toPayload(credentialFields, credentials),
  });
  const validate = useApiMutation(
    () =>
      api<{ ok: true; displayName: string | null }>("/api/v1/settings/channel-accounts/validate", {
        method: "POST",
        body: body(),
      }),
    [],
  );
  const create = useApiMutation(
    () =>
      api("/api/v1/settings/channel-accounts", { method: "POST", body: { ...body(), name: name.trim() } }),
    [accountsKey, ["channels"]],
  );
  const choose = (value: string | null) => {
    setNetwork(value);
    const chosen = connectors.find((c) => c.network === value);
    setSettings(initialValues(chosen?.fields.filter((f) => f.group === "settings") ?? []));
    setCredentials({});
    if (!name.trim() && value) setName(t(`channels.${value}` as never, { defaultValue: value }));
    validate.reset();
    create.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(undefined, { onSuccess: onClose });
  };
  const error = create.error ?? validate.error;
  return (
    <Modal
      opened
      onClose={onClose}
      title={t("channelSettings.connectTitle")}
      fullScreen={fullScreen}
      size="lg"
    >
      <form onSubmit={submit} aria-label={t("channelSettings.connectTitle")}>
        <Stack gap="sm">
          <Select
            label={t("channelSettings.network")}
            required
            data={connectors.map((c) => ({
              value: c.network,
              label: t(`channels.${c.network}` as never, { defaultValue: c.network }),
            }))}
            value={network}
            onChange={choose}
            comboboxProps={{ withinPortal: false }}
          />
          {connector && (
            <>
              <TextInput
                label={t("channelSettings.name")}
                description={t("channelSettings.nameHint")}
                required
                maxLength={100}
                value={name}
                onChange={(event) => setName(event.currentTarget.value)}
              />
              <ConnectorFields fields={settingFields} values={settings} onChange={setSettings} />
              <ConnectorFields fields={credentialFields} values={credentials} onChange={setCredentials} />
            </>
          )}
          {error && <ErrorAlert error={error} />}
          {validate.data && !error && (
            <Alert color="teal" variant="light" icon={<IconCheck size={16} />} role="status">
              {t("channelSettings.validated", { name: validate.data.displayName ?? connector?.network })}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm" mt="xs">
            <Button variant="default" onClick={onClose}>
              {t("app.cancel")}
            </Button>
            <Button
              variant="light"
              disabled={!connector}
              loading={validate.isPending}
              onClick={() => {
                create.reset();
                validate.mutate(undefined);
              }}
            >
              {t("channelSettings.validate")}
            </Button>
            <Button type="submit" disabled={!connector || !name.trim()} loading={create.isPending}>
              {t("channelSettings.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** A dialog with one form that saves and closes, or shows the server's sentence (the network's refusal). */
function SaveDialog({
  title,
  onClose,
  onSave,
  saving,
  error,
  canSave = true,
  size,
  children,
}: {
  title: string;
  onClose: () => void;
  onSave: () => void;
  saving: boolean;
  error: unknown;
  canSave?: boolean;
  size?: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const fullScreen = useDialogFullScreen();
  return (
    <Modal opened onClose={onClose} title={title} fullScreen={fullScreen} size={size}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onSave();
        }}
      >
        <Stack gap="sm">
          {children}
          {error ? <ErrorAlert error={error} /> : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              {t("app.cancel")}
            </Button>
            <Button type="submit" loading={saving} disabled={!canSave}>
              {t("channelSettings.saveChanges")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

interface AccountDialogProps {
  account: ChannelAccount;
  connector: ConnectorInfo;
  onClose: () => void;
}

function EditDialog({ account, connector, onClose }: AccountDialogProps) {
  const { t } = useTranslation();
  const fields = connector.fields.filter((f) => f.group === "settings");
  const [name, setName] = useState(account.name);
  const [settings, setSettings] = useState<FieldValues>(() => initialValues(fields, account.settings));
  const save = useApiMutation(
    () =>
      api(`/api/v1/settings/channel-accounts/${account.id}`, {
        method: "PATCH",
        body: { name: name.trim(), ...(fields.length > 0 ? { settings: toPayload(fields, settings) } : {}) },
      }),
    [accountsKey, ["channels"]],
  );
  return (
    <SaveDialog
      title={t("channelSettings.editTitle", { name: account.name })}
      size="lg"
      onClose={onClose}
      onSave={() => save.mutate(undefined, { onSuccess: onClose })}
      saving={save.isPending}
      error={save.error}
      canSave={Boolean(name.trim())}
    >
      <TextInput
        label={t("channelSettings.name")}
        required
        maxLength={100}
        value={name}
        onChange={(event) => setName(event.currentTarget.value)}
      />
      <ConnectorFields fields={fields} values={settings} onChange={setSettings} />
    </SaveDialog>
  );
}

function RotateDialog({ account, connector, onClose }: AccountDialogProps) {
  const { t } = useTranslation();
  const fields = connector.fields.filter((f) => f.group === "credentials");
  const [credentials, setCredentials] = useState<FieldValues>({});
  const rotate = useApiMutation(
    () =>
      api(`/api/v1/settings/channel-accounts/${account.id}/credentials`, {
        method: "PUT",
        body: { credentials: toPayload(fields, credentials) },
      }),
    [accountsKey],
  );
  return (
    <SaveDialog
      title={t("channelSettings.rotateTitle", { name: account.name })}
      onClose={onClose}
      onSave={() => rotate.mutate(undefined, { onSuccess: onClose })}
      saving={rotate.isPending}
      error={rotate.error}
    >
      <Text size="sm" c="dimmed">
        {t("channelSettings.rotateHint")}
      </Text>
      <ConnectorFields fields={fields} values={credentials} onChange={setCredentials} />
    </SaveDialog>
  );
}

function AllowedHosts() {
  const { t } = useTranslation();
  const hosts = useQuery(allowedPrivateHostsQuery);
  const [host, setHost] = useState("");
  const add = useApiMutation(
    (value: string) =>
      api<AllowedPrivateHost>("/api/v1/settings/allowed-private-hosts", {
        method: "POST",
        body: { host: value },
      }),
    [["allowed-private-hosts"]],
  );
  const remove = useApiMutation(
    (id: string) => api(`/api/v1/settings/allowed-private-hosts/${id}`, { method: "DELETE" }),
    [["allowed-private-hosts"]],
  );
  return (
    <section aria-labelledby="allowed-hosts-title">
      <Group gap={6} mb={4}>
        <IconShieldCheck size={18} stroke={1.7} />
        <Title order={3} size="h5" id="allowed-hosts-title">
          {t("channelSettings.hosts.title")}
        </Title>
      </Group>
      <Text size="sm" c="dimmed" mb="sm" maw={720}>
        {t("channelSettings.hosts.description")}
      </Text>
      <Paper withBorder radius="sm" p="md">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            add.mutate(host.trim(), { onSuccess: () => setHost("") });
          }}
        >
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label={t("channelSettings.hosts.host")}
              description={t("channelSettings.hosts.hostHint")}
              value={host}
              onChange={(event) => setHost(event.currentTarget.value)}
              maxLength={255}
              required
              style={{ flex: "1 1 240px" }}
            />
            <Button type="submit" loading={add.isPending} disabled={!host.trim()}>
              {t("channelSettings.hosts.add")}
            </Button>
          </Group>
        </form>
        {(add.error ?? remove.error) && (
          <Stack mt="sm">
            <ErrorAlert error={add.error ?? remove.error} />
          </Stack>
        )}
        {hosts.isError ? (
          <Stack mt="sm">
            <ErrorAlert error={hosts.error} onRetry={() => hosts.refetch()} />
          </Stack>
        ) : hosts.data && hosts.data.length === 0 ? (
          <Text c="dimmed" size="sm" mt="sm">
            {t("channelSettings.hosts.empty")}
          </Text>
        ) : (
          <Stack
            component="ul"
            gap={4}
            mt="sm"
            className="allowed-hosts"
            aria-labelledby="allowed-hosts-title"
          >
            {hosts.data?.map((entry) => (
              <Group component="li" key={entry.id} justify="space-between" gap="xs" wrap="nowrap">
                <Text size="sm" ff="monospace" className="truncate">
                  {entry.host}
                </Text>
                <ConfirmButton
                  icon={<IconX size={16} />}
                  label={`${t("channelSettings.hosts.remove")}: ${entry.host}`}
                  title={t("channelSettings.hosts.remove")}
                  message={t("channelSettings.hosts.removeConfirm", { host: entry.host })}
                  confirmLabel={t("channelSettings.hosts.remove")}
                  onConfirm={() => remove.mutate(entry.id)}
                />
              </Group>
            ))}
          </Stack>
        )}
      </Paper>
    </section>
  );
}
