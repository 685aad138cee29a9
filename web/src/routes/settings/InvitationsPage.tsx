import {
  Badge,
  Button,
  Group,
  MultiSelect,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { IconMailForward, IconX } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { useApiMutation } from "../../api/mutations.js";
import { departmentsQuery, invitationsQuery } from "../../api/queries.js";
import type { Invitation, Role } from "../../api/types.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime } from "../../lib/format.js";
import { roles } from "../../lib/roles.js";
import { AdminOnly } from "./AdminOnly.js";
import { ConfirmButton } from "./ConfirmButton.js";
import { SecretOnce } from "./SecretOnce.js";

type InvitationState = "open" | "accepted" | "revoked" | "expired";
const stateColors: Record<InvitationState, string> = {
  open: "indigo",
  accepted: "teal",
  revoked: "gray",
  expired: "orange",
};

function stateOf(invitation: Invitation, now: number): InvitationState {
  if (invitation.acceptedAt) return "accepted";
  if (invitation.revokedAt) return "revoked";
  if (new Date(invitation.expiresAt).getTime() < now) return "expired";
  return "open";
}

export function InvitationsPage() {
  return (
    <AdminOnly>
      <Invitations />
    </AdminOnly>
  );
}

/** Invite by link: the link appears once after creating it, to copy and pass on. */
function Invitations() {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const invitations = useQuery(invitationsQuery);
  const departments = useQuery(departmentsQuery);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("agent");
  const [departmentIds, setDepartmentIds] = useState<string[]>([]);
  const [created, setCreated] = useState<{ email: string; url: string }>();
  const create = useApiMutation(
    (body: { email: string; role: Role; departmentIds: string[] }) =>
      api<Invitation & { url: string }>("/api/v1/invitations", { method: "POST", body }),
    [["invitations"]],
  );
  const revoke = useApiMutation(
    (id: string) => api(`/api/v1/invitations/${id}`, { method: "DELETE" }),
    [["invitations"]],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { email: email.trim(), role, departmentIds },
      {
        onSuccess: (invitation) => {
          setCreated({ email: invitation.email, url: invitation.url });
          setEmail("");
          setDepartmentIds([]);
        },
      },
    );
  };
  const now = Date.now();

  return (
    <Stack gap="md">
      <PageHeader order={2} title={t("settings.invitations")} description={t("invitations.description")} />
      <Paper withBorder radius="sm" p="md">
        <form onSubmit={submit}>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label={t("invitations.email")}
              type="email"
              value={email}
              onChange={(event) => setEmail(event.currentTarget.value)}
              required
              w={230}
            />
            <Select
              label={t("invitations.role")}
              data={roles.map((value) => ({ value, label: t(`roles.${value}`) }))}
              value={role}
              onChange={(value) => value && setRole(value as Role)}
              allowDeselect={false}
              w={200}
            />
            <MultiSelect
              label={t("invitations.departments")}
              data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
              value={departmentIds}
              onChange={setDepartmentIds}
              w={220}
              clearable
            />
            <Button
              type="submit"
              leftSection={<IconMailForward size={16} />}
              loading={create.isPending}
              disabled={!email.trim()}
            >
              {t("invitations.send")}
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
          title={t("invitations.linkTitle")}
          hint={t("invitations.linkOnce", { email: created.email })}
          value={created.url}
          onClose={() => setCreated(undefined)}
        />
      )}
      {revoke.error && <ErrorAlert error={revoke.error} />}
      {invitations.isPending ? (
        <CenteredLoader />
      ) : invitations.isError ? (
        <ErrorAlert error={invitations.error} onRetry={() => invitations.refetch()} />
      ) : invitations.data.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("invitations.empty")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing={8} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("invitations.email")}</Table.Th>
                  <Table.Th>{t("invitations.role")}</Table.Th>
                  <Table.Th>{t("invitations.state")}</Table.Th>
                  <Table.Th>{t("invitations.expires")}</Table.Th>
                  <Table.Th w={60} aria-label={t("invitations.actions")} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {invitations.data.map((invitation) => {
                  const state = stateOf(invitation, now);
                  return (
                    <Table.Tr key={invitation.id}>
                      <Table.Td fw={500}>{invitation.email}</Table.Td>
                      <Table.Td>{t(`roles.${invitation.role}`)}</Table.Td>
                      <Table.Td>
                        <Badge size="sm" variant="light" color={stateColors[state]}>
                          {t(`invitations.states.${state}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{dateTime(invitation.expiresAt, locale)}</Table.Td>
                      <Table.Td>
                        {state === "open" && (
                          <ConfirmButton
                            icon={<IconX size={16} />}
                            label={`${t("invitations.revoke")}: ${invitation.email}`}
                            title={t("invitations.revoke")}
                            message={`${t("invitations.revoke")}: ${invitation.email}?`}
                            confirmLabel={t("invitations.revoke")}
                            onConfirm={() => revoke.mutate(invitation.id)}
                          />
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </Stack>
  );
}
