import {
  Button,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  Select,
  Stack,
  Switch,
  TagsInput,
  TextInput,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import type { AlertType } from "../../../../src/modules/listening/schema.js";
import { api } from "../../api/client.js";
import { listeningQueriesQuery } from "../../api/listening.js";
import { useApiMutation } from "../../api/mutations.js";
import type { AlertRule, AlertRuleInput } from "../../api/types.js";
import { ErrorAlert } from "../../app/RouteStates.js";

const alertTypeNames: Record<AlertType, true> = {
  volume_spike: true,
  storm: true,
  keyword: true,
  vip_mention: true,
  offensive: true,
};
export const alertTypes = Object.keys(alertTypeNames) as AlertType[];

export interface RuleDraft {
  id?: string;
  name: string;
  type: AlertType;
  queryId: string | null;
  threshold?: number;
  minCount?: number;
  minShare?: number;
  keywords: string[];
  minOffensive?: number;
  inApp: boolean;
  emails: string[];
  webhookUrl: string;
  webhookSecret: string;
  webhookSecretSet: boolean;
  cooldownMinutes: number;
  isActive: boolean;
}

export function newRuleDraft(): RuleDraft {
  return {
    name: "",
    type: "storm",
    queryId: null,
    keywords: [],
    inApp: true,
    emails: [],
    webhookUrl: "",
    webhookSecret: "",
    webhookSecretSet: false,
    cooldownMinutes: 60,
    isActive: true,
  };
}

export function ruleDraftOf(rule: AlertRule): RuleDraft {
  return {
    id: rule.id,
    name: rule.name,
    type: rule.type,
    queryId: rule.queryId,
    threshold: rule.config.threshold,
    minCount: rule.config.minCount,
    minShare: rule.config.minShare,
    keywords: rule.config.keywords ?? [],
    minOffensive: rule.config.minOffensive,
    inApp: rule.delivery.inApp,
    emails: rule.delivery.emails,
    webhookUrl: rule.delivery.webhookUrl ?? "",
    webhookSecret: "",
    webhookSecretSet: rule.delivery.webhookSecretSet,
    cooldownMinutes: rule.cooldownMinutes,
    isActive: rule.isActive,
  };
}

function inputOf(draft: RuleDraft): AlertRuleInput {
  const config: AlertRuleInput["config"] = {};
  if (draft.type === "volume_spike" || draft.type === "storm") {
    if (draft.threshold !== undefined) config.threshold = draft.threshold;
    if (draft.minCount !== undefined) config.minCount = draft.minCount;
  }
  if (draft.type === "storm" && draft.minShare !== undefined) config.minShare = draft.minShare;
  if (draft.type === "keyword") config.keywords = draft.keywords;
  if (draft.type === "offensive" && draft.minOffensive !== undefined)
    config.minOffensive = draft.minOffensive;
  return {
    name: draft.name.trim(),
    type: draft.type,
    queryId: draft.queryId,
    config,
    inApp: draft.inApp,
    emails: draft.emails,
    webhookUrl: draft.webhookUrl.trim() || null,
    ...(draft.webhookSecret ? { webhookSecret: draft.webhookSecret } : {}),
    cooldownMinutes: draft.cooldownMinutes,
    isActive: draft.isActive,
  };
}

const number = (value: string | number) => (typeof value === "number" ? value : undefined);

/** Create or change an alert rule: what fires it, for which query, and where it is delivered. */
export function AlertRuleForm({ draft, onClose }: { draft: RuleDraft; onClose: () => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState(draft);
  const queries = useQuery(listeningQueriesQuery);
  const save = useApiMutation(
    (rule: RuleDraft) =>
      rule.id
        ? api(`/api/v1/alerts/rules/${rule.id}`, { method: "PATCH", body: inputOf(rule) })
        : api("/api/v1/alerts/rules", { method: "POST", body: inputOf(rule) }),
    [["alert-rules"]],
  );
  const set = (change: Partial<RuleDraft>) => setValue({ ...value, ...change });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(value, { onSuccess: onClose });
  };
  const spike = value.type === "volume_spike" || value.type === "storm";

  return (
    <Modal
      opened
      onClose={onClose}
      title={value.id ? t("alerts.editRule") : t("alerts.addRule")}
      size="lg"
      centered
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          {save.error && <ErrorAlert error={save.error} />}
          <TextInput
            label={t("alerts.ruleName")}
            value={value.name}
            onChange={(event) => set({ name: event.currentTarget.value })}
            required
            maxLength={200}
            data-autofocus
          />
          <Group grow align="flex-start">
            <Select
              label={t("alerts.type")}
              value={value.type}
              allowDeselect={false}
              onChange={(type) => type && set({ type: type as AlertType })}
              data={alertTypes.map((type) => ({ value: type, label: t(`alerts.types.${type}`) }))}
              description={t(`alerts.typeHints.${value.type}`)}
            />
            <Select
              label={t("alerts.query")}
              placeholder={t("filters.allQueries")}
              clearable
              value={value.queryId}
              onChange={(queryId) => set({ queryId })}
              data={(queries.data ?? []).map((q) => ({ value: q.id, label: q.name }))}
            />
          </Group>
          {spike && (
            <Group grow align="flex-start">
              <NumberInput
                label={t("alerts.threshold")}
                description={t("alerts.thresholdHint")}
                min={1}
                max={20}
                step={0.5}
                decimalScale={1}
                value={value.threshold ?? ""}
                onChange={(v) => set({ threshold: number(v) })}
              />
              <NumberInput
                label={t("alerts.minCount")}
                min={1}
                max={100000}
                value={value.minCount ?? ""}
                onChange={(v) => set({ minCount: number(v) })}
              />
              {value.type === "storm" && (
                <NumberInput
                  label={t("alerts.minShare")}
                  description={t("alerts.minShareHint")}
                  min={0}
                  max={100}
                  suffix=" %"
                  value={value.minShare === undefined ? "" : Math.round(value.minShare * 100)}
                  onChange={(v) => set({ minShare: typeof v === "number" ? v / 100 : undefined })}
                />
              )}
            </Group>
          )}
          {value.type === "keyword" && (
            <TagsInput
              label={t("alerts.keywords")}
              description={t("alerts.keywordsHint")}
              value={value.keywords}
              onChange={(keywords) => set({ keywords })}
              maxTags={50}
              required
            />
          )}
          {value.type === "offensive" && (
            <NumberInput
              label={t("alerts.minOffensive")}
              min={0}
              max={100}
              suffix=" %"
              value={value.minOffensive === undefined ? "" : Math.round(value.minOffensive * 100)}
              onChange={(v) => set({ minOffensive: typeof v === "number" ? v / 100 : undefined })}
            />
          )}
          <Switch
            label={t("alerts.inApp")}
            checked={value.inApp}
            onChange={(event) => set({ inApp: event.currentTarget.checked })}
          />
          <TagsInput
            label={t("alerts.emails")}
            description={t("alerts.emailsHint")}
            value={value.emails}
            onChange={(emails) => set({ emails })}
            maxTags={20}
          />
          <Group grow align="flex-start">
            <TextInput
              label={t("alerts.webhookUrl")}
              type="url"
              placeholder="https://"
              value={value.webhookUrl}
              onChange={(event) => set({ webhookUrl: event.currentTarget.value })}
            />
            <PasswordInput
              label={t("alerts.webhookSecret")}
              description={
                value.webhookSecretSet ? t("alerts.webhookSecretSet") : t("alerts.webhookSecretHint")
              }
              value={value.webhookSecret}
              onChange={(event) => set({ webhookSecret: event.currentTarget.value })}
              minLength={16}
              autoComplete="new-password"
            />
          </Group>
          <Group grow align="flex-end">
            <NumberInput
              label={t("alerts.cooldown")}
              min={0}
              max={7 * 24 * 60}
              value={value.cooldownMinutes}
              onChange={(v) => set({ cooldownMinutes: typeof v === "number" ? v : 0 })}
            />
            <Switch
              label={t("alerts.active")}
              checked={value.isActive}
              onChange={(event) => set({ isActive: event.currentTarget.checked })}
              mb={8}
            />
          </Group>
          <Group justify="flex-end" gap="sm" mt="xs">
            <Button variant="default" onClick={onClose}>
              {t("app.cancel")}
            </Button>
            <Button
              type="submit"
              loading={save.isPending}
              disabled={!value.name.trim() || (value.type === "keyword" && value.keywords.length === 0)}
            >
              {value.id ? t("app.save") : t("app.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
