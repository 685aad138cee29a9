import { Badge, Button, Code, Group, NumberInput, Paper, Stack, Table, Text, TextInput } from "@mantine/core";
import { IconKey, IconX } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { useApiMutation } from "../../api/mutations.js";
import { apiTokensQuery } from "../../api/queries.js";
import type { ApiTokenInfo } from "../../api/types.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { date, dateTime } from "../../lib/format.js";
import { ConfirmButton } from "./ConfirmButton.js";
import { SecretOnce } from "./SecretOnce.js";

/** Personal API tokens: the token itself is shown once, then only its prefix. */
export function ApiTokensPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const tokens = useQuery(apiTokensQuery);
  const [name, setName] = useState("");
  const [days, setDays] = useState<number | undefined>(90);
  const [created, setCreated] = useState<string>();
  const create = useApiMutation(
    (body: { name: string; expiresInDays?: number }) =>
      api<ApiTokenInfo & { token: string }>("/api/v1/api-tokens", { method: "POST", body }),
    [["api-tokens"]],
  );
  const revoke = useApiMutation(
    (id: string) => api(`/api/v1/api-tokens/${id}`, { method: "DELETE" }),
    [["api-tokens"]],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), expiresInDays: days },
      {
        onSuccess: (token) => {
          setCreated(token.token);
          setName("");
        },
      },
    );
  };

  return (
    <Stack gap="md">
      <PageHeader order={2} title={t("settings.apiTokens")} description={t("apiTokens.description")} />
      <Paper withBorder radius="sm" p="md">
        <form onSubmit={submit}>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label={t("apiTokens.name")}
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              required
              maxLength={100}
              w={260}
            />
            <NumberInput
              label={t("apiTokens.expiresInDays")}
              description={t("apiTokens.expiresHint")}
              value={days ?? ""}
              onChange={(value) => setDays(typeof value === "number" ? value : undefined)}
              min={1}
              max={3650}
              allowDecimal={false}
              w={200}
            />
            <Button
              type="submit"
              leftSection={<IconKey size={16} />}
              loading={create.isPending}
              disabled={!name.trim()}
            >
              {t("apiTokens.create")}
            </Button>
          </Group>
        </form>
        {create.error && (
          <Stack mt="sm">
            <ErrorAlert error={create.error} />
          </Stack>
        )}
      </Paper>
      {created && (
        <SecretOnce
          title={t("apiTokens.tokenTitle")}
          hint={t("apiTokens.tokenOnce")}
          value={created}
          onClose={() => setCreated(undefined)}
        />
      )}
      {revoke.error && <ErrorAlert error={revoke.error} />}
      {tokens.isPending ? (
        <CenteredLoader />
      ) : tokens.isError ? (
        <ErrorAlert error={tokens.error} onRetry={() => tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("apiTokens.empty")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing={8} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("apiTokens.name")}</Table.Th>
                  <Table.Th>{t("apiTokens.prefix")}</Table.Th>
                  <Table.Th>{t("apiTokens.created")}</Table.Th>
                  <Table.Th>{t("apiTokens.lastUsed")}</Table.Th>
                  <Table.Th>{t("apiTokens.expires")}</Table.Th>
                  <Table.Th w={60} aria-label={t("apiTokens.actions")} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.data.map((token) => (
                  <Table.Tr key={token.id} c={token.revokedAt ? "dimmed" : undefined}>
                    <Table.Td fw={500}>{token.name}</Table.Td>
                    <Table.Td>
                      <Code>{token.prefix}…</Code>
                    </Table.Td>
                    <Table.Td>{date(token.createdAt, locale)}</Table.Td>
                    <Table.Td>
                      {token.lastUsedAt ? dateTime(token.lastUsedAt, locale) : t("app.never")}
                    </Table.Td>
                    <Table.Td>
                      {token.revokedAt ? (
                        <Badge size="sm" variant="light" color="gray">
                          {t("apiTokens.revoked")}
                        </Badge>
                      ) : token.expiresAt ? (
                        date(token.expiresAt, locale)
                      ) : (
                        t("app.never")
                      )}
                    </Table.Td>
                    <Table.Td>
                      {!token.revokedAt && (
                        <ConfirmButton
                          icon={<IconX size={16} />}
                          label={`${t("apiTokens.revoke")}: ${token.name}`}
                          title={t("apiTokens.revoke")}
                          message={`${t("apiTokens.revoke")}: ${token.name}?`}
                          confirmLabel={t("apiTokens.revoke")}
                          onConfirm={() => revoke.mutate(token.id)}
                        />
                      )}
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
