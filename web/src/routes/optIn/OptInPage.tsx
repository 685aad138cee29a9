import { Alert, Badge, Button, Center, Checkbox, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../../api/client.js";
import { type OptInLinkInfo, optInLinkQuery } from "../../api/contacts.js";
import { LanguageSwitch } from "../../app/HeaderControls.js";
import { CenteredLoader } from "../../app/RouteStates.js";
import { changeLocale, storedLocale } from "../../i18n/index.js";
import { usePageTitle } from "../../lib/usePageTitle.js";

/**
 * The customer's side of an opt-in link (no sign-in, made for phones): confirm the account, enter
 * the customer number, read the purpose, tick consent. Used or expired links say so plainly.
 */
export function OptInPage() {
  const { t } = useTranslation();
  const { token } = useParams({ from: "/opt-in/$token" });
  const link = useQuery(optInLinkQuery(token));
  usePageTitle(t("optIn.title"));
  // The link's language, unless the person chose one in this browser.
  const linkLocale = link.data?.locale;
  useEffect(() => {
    if ((linkLocale === "de" || linkLocale === "en") && !storedLocale())
      void changeLocale(linkLocale, { remember: false });
  }, [linkLocale]);
  return (
    <Center mih="100dvh" p="md" className="login-backdrop">
      <Stack w="100%" maw={460} gap="lg">
        <Paper withBorder shadow="xs" p="lg" radius="md">
          {link.isPending ? (
            <CenteredLoader />
          ) : link.isError ? (
            <Problem title={t("optIn.invalid")} text={link.error.message} />
          ) : (
            <OptInForm token={token} link={link.data} />
          )}
        </Paper>
        <Center>
          <LanguageSwitch />
        </Center>
      </Stack>
    </Center>
  );
}

function Problem({ title, text }: { title: string; text: string }) {
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={title} role="alert">
      {text}
    </Alert>
  );
}

function OptInForm({ token, link }: { token: string; link: OptInLinkInfo }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [customerNumber, setCustomerNumber] = useState("");
  const [consent, setConsent] = useState(false);
  const submit = useMutation({
    mutationFn: () =>
      api<{ linked: boolean }>(`/api/v1/opt-in/${token}`, {
        method: "POST",
        body: { customerNumber, consent },
      }),
    // Used, expired or blocked meanwhile: ask what the link is now and show that page instead.
    onError: async (error) => {
      if (!(error instanceof ApiError) || (error.status !== 409 && error.status !== 403)) return;
      const now = await api<OptInLinkInfo>(`/api/v1/opt-in/${token}`);
      queryClient.setQueryData(optInLinkQuery(token).queryKey, now);
    },
  });
  if (link.state !== "open") {
    return <Problem title={t(`optIn.${link.state}`)} text={t(`optIn.${link.state}Hint`)} />;
  }
  if (submit.isSuccess) {
    return (
      <Alert
        color="green"
        variant="light"
        icon={<IconCircleCheck size={18} />}
        title={t("optIn.done")}
        role="status"
      >
        {t("optIn.doneHint")}
      </Alert>
    );
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate();
  };
  return (
    <form onSubmit={onSubmit}>
      <Stack gap="md">
        <Title order={1} size="h3">
          {t("optIn.title")}
        </Title>
        <Text size="sm">{t("optIn.intro", { organization: link.organizationName })}</Text>
        <Paper withBorder p="sm" radius="sm" aria-label={t("optIn.account")}>
          <Text size="xs" c="dimmed">
            {t("optIn.account")}
          </Text>
          <Text fw={600} style={{ overflowWrap: "anywhere" }}>
            <Badge variant="outline" size="sm" mr={6}>
              {link.identity?.network}
            </Badge>
            {link.identity?.handle}
          </Text>
          {link.identity?.displayName && <Text size="sm">{link.identity.displayName}</Text>}
        </Paper>
        <TextInput
          label={t("optIn.customerNumber")}
          description={t("optIn.customerNumberHint")}
          required
          autoComplete="off"
          inputMode="text"
          size="md"
          value={customerNumber}
          onChange={(e) => setCustomerNumber(e.currentTarget.value)}
        />
        <div>
          <Text size="sm" fw={500} mb={4}>
            {t("optIn.purpose")}
          </Text>
          <Text size="sm" c="dimmed" data-testid="opt-in-wording">
            {link.wording}
          </Text>
        </div>
        <Checkbox
          label={t("optIn.consent")}
          checked={consent}
          onChange={(e) => setConsent(e.currentTarget.checked)}
          size="md"
        />
        {submit.isError && (
          <Problem
            title={
              submit.error instanceof ApiError && submit.error.status === 400
                ? t("optIn.wrongNumber")
                : t("optIn.title")
            }
            text={submit.error.message}
          />
        )}
        <Button
          type="submit"
          size="md"
          fullWidth
          disabled={!consent || !customerNumber.trim()}
          loading={submit.isPending}
        >
          {t("optIn.submit")}
        </Button>
      </Stack>
    </form>
  );
}
