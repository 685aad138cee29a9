import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconAlertTriangle, IconMessages } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { LanguageSwitch } from "../../app/HeaderControls.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { signIn, verifyTotp } from "./session.js";

/** E-mail and password (and a TOTP code when the account has a second factor). */
export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { redirect } = useSearch({ from: "/login" });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  usePageTitle(t("login.submit"));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (needsCode) {
        await verifyTotp(code);
      } else {
        const result = await signIn({ email, password });
        if (result.twoFactorRedirect) {
          setNeedsCode(true);
          return;
        }
      }
      queryClient.clear();
      await navigate({ href: redirect ?? "/inbox?status=open", replace: true });
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100dvh" p="md" className="login-backdrop">
      <Stack w="100%" maw={380} gap="lg">
        <Stack align="center" gap={6}>
          <span className="brand-mark brand-mark-large" aria-hidden>
            <IconMessages size={26} stroke={2} />
          </span>
          <Title order={1} size="h3" ta="center">
            {needsCode ? t("login.twoFactorTitle") : t("login.title")}
          </Title>
          <Text size="sm" c="dimmed" ta="center">
            {t("login.subtitle")}
          </Text>
        </Stack>
        <Paper withBorder shadow="xs" p="lg" radius="md">
          <form onSubmit={submit} noValidate>
            <Stack gap="md">
              {error && (
                <Alert
                  color="red"
                  variant="light"
                  icon={<IconAlertTriangle size={18} />}
                  title={t("login.failed")}
                  role="alert"
                >
                  {error}
                </Alert>
              )}
              {needsCode ? (
                <TextInput
                  label={t("login.twoFactorCode")}
                  value={code}
                  onChange={(event) => setCode(event.currentTarget.value)}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  required
                  autoFocus
                />
              ) : (
                <>
                  <TextInput
                    label={t("login.email")}
                    type="email"
                    name="email"
                    autoComplete="username"
                    value={email}
                    onChange={(event) => setEmail(event.currentTarget.value)}
                    required
                    withAsterisk={false}
                    autoFocus
                  />
                  <PasswordInput
                    label={t("login.password")}
                    name="password"
                    autoComplete="current-password"
                    visibilityToggleButtonProps={{ "aria-label": t("login.showPassword") }}
                    value={password}
                    onChange={(event) => setPassword(event.currentTarget.value)}
                    required
                    withAsterisk={false}
                  />
                </>
              )}
              <Button type="submit" fullWidth loading={busy}>
                {needsCode ? t("login.twoFactorSubmit") : t("login.submit")}
              </Button>
            </Stack>
          </form>
        </Paper>
        <Center>
          <LanguageSwitch />
        </Center>
      </Stack>
    </Center>
  );
}
