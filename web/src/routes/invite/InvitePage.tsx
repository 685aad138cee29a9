import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconAlertTriangle, IconMailForward } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { invitationLinkQuery, meQuery } from "../../api/queries.js";
import type { InvitationLink } from "../../api/types.js";
import { LanguageSwitch } from "../../app/HeaderControls.js";
import { ButtonLink } from "../../app/links.js";
import { CenteredLoader } from "../../app/RouteStates.js";
import { date } from "../../lib/format.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { signIn } from "../auth/session.js";

/**
 * Where an invitation link leads: a new person creates the account (and is signed in), a known
 * person joins with the account they are signed in with.
 */
export function InvitePage() {
  const { t } = useTranslation();
  const { token } = useParams({ from: "/invite/$token" });
  const link = useQuery(invitationLinkQuery(token));
  usePageTitle(t("invite.title"));
  return (
    <Center mih="100dvh" p="md" className="login-backdrop">
      <Stack w="100%" maw={420} gap="lg">
        <Paper withBorder shadow="xs" p="lg" radius="md">
          {link.isPending ? (
            <CenteredLoader />
          ) : link.isError ? (
            <Alert
              color="red"
              variant="light"
              icon={<IconAlertTriangle size={18} />}
              title={t("invite.invalid")}
              role="alert"
            >
              {link.error.message}
            </Alert>
          ) : (
            <Invitation token={token} link={link.data} />
          )}
        </Paper>
        <Center>
          <LanguageSwitch />
        </Center>
      </Stack>
    </Center>
  );
}

function Invitation({ token, link }: { token: string; link: InvitationLink }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const me = useQuery({ ...meQuery, retry: false });
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const enter = async (organizationId: string) => {
    await api("/api/v1/me/organization", { method: "PUT", body: { organizationId } });
    queryClient.clear();
    await navigate({ to: "/inbox", search: { status: "open" }, replace: true });
  };
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  const accept = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const result = await api<{ organizationId: string; email: string }>(
        `/api/v1/invitation-links/${encodeURIComponent(token)}/accept`,
        { method: "POST", body: { name: name.trim(), password } },
      );
      await signIn({ email: result.email, password });
      await enter(result.organizationId);
    });
  };
  const join = () =>
    run(async () => {
      const result = await api<{ organizationId: string }>(
        `/api/v1/invitation-links/${encodeURIComponent(token)}/join`,
        { method: "POST", body: {} },
      );
      await enter(result.organizationId);
    });

  return (
    <Stack gap="md">
      <Stack gap={4} align="center" ta="center">
        <IconMailForward size={32} stroke={1.5} color="var(--mantine-color-indigo-6)" />
        <Title order={1} size="h3">
          {t("invite.title")}
        </Title>
        <Text size="sm">
          {t("invite.intro", { organization: link.organizationName, role: t(`roles.${link.role}`) })}
        </Text>
        <Text size="xs" c="dimmed">
          {t("invite.forEmail", { email: link.email })} ·{" "}
          {t("invite.expires", { date: date(link.expiresAt, locale) })}
        </Text>
      </Stack>
      {error && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert">
          {error}
        </Alert>
      )}
      {!link.hasAccount ? (
        <form onSubmit={accept}>
          <Stack gap="sm">
            <Title order={2} size="h5">
              {t("invite.createAccount")}
            </Title>
            <TextInput
              label={t("login.email")}
              value={link.email}
              readOnly
              variant="filled"
              autoComplete="username"
            />
            <TextInput
              label={t("invite.name")}
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              autoComplete="name"
              required
              autoFocus
            />
            <PasswordInput
              label={t("invite.password")}
              description={t("invite.passwordHint")}
              value={password}
              onChange={(event) => setPassword(event.currentTarget.value)}
              autoComplete="new-password"
              visibilityToggleButtonProps={{ "aria-label": t("login.showPassword") }}
              minLength={10}
              required
            />
            <Button type="submit" loading={busy} disabled={!name.trim() || password.length < 10}>
              {t("invite.accept")}
            </Button>
          </Stack>
        </form>
      ) : me.isPending ? (
        <CenteredLoader />
      ) : me.data ? (
        <Button onClick={join} loading={busy}>
          {t("invite.join", { organization: link.organizationName })}
        </Button>
      ) : (
        <Stack gap="sm">
          <Text size="sm">{t("invite.signInFirst")}</Text>
          <ButtonLink to="/login" search={{ redirect: `/invite/${token}` }}>
            {t("invite.signIn")}
          </ButtonLink>
        </Stack>
      )}
    </Stack>
  );
}
