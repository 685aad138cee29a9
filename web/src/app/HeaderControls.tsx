import { Avatar, Button, Group, Menu, SegmentedControl, Text, UnstyledButton } from "@mantine/core";
import { IconBuilding, IconCheck, IconChevronDown, IconLogout } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { api } from "../api/client.js";
import type { Me } from "../api/types.js";
import { changeLocale, type Locale, locales } from "../i18n/index.js";

/** Switching the organization sets a cookie on the server; every cached answer belonged to the old one. */
export function OrganizationSwitcher({ me, fullWidth }: { me: Me; fullWidth?: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const switchTo = useMutation({
    mutationFn: (organizationId: string) =>
      api("/api/v1/me/organization", { method: "PUT", body: { organizationId } }),
    onSuccess: async () => {
      await navigate({ to: "/inbox", search: { status: "open" } });
      await queryClient.invalidateQueries();
    },
  });
  const current = me.organization;
  if (!current) {
    return (
      <Text size="sm" c="dimmed">
        {t("header.noOrganization")}
      </Text>
    );
  }
  return (
    <Menu position="bottom-start" width={260} withinPortal>
      <Menu.Target>
        <Button
          variant="default"
          size="xs"
          h={32}
          fullWidth={fullWidth}
          justify={fullWidth ? "space-between" : undefined}
          leftSection={<IconBuilding size={16} stroke={1.7} />}
          rightSection={<IconChevronDown size={14} />}
          loading={switchTo.isPending}
          aria-label={`${t("header.switchOrganization")}: ${current.name}`}
        >
          <span className="truncate">{current.name}</span>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t("header.switchOrganization")}</Menu.Label>
        {me.organizations.map((organization) => (
          <Menu.Item
            key={organization.id}
            onClick={() => organization.id !== current.id && switchTo.mutate(organization.id)}
            rightSection={organization.id === current.id ? <IconCheck size={16} /> : undefined}
          >
            <Text size="sm" fw={500}>
              {organization.name}
            </Text>
            <Text size="xs" c="dimmed">
              {t(`roles.${organization.role}`)}
            </Text>
          </Menu.Item>
        ))}
        {switchTo.error && (
          <Text size="xs" c="red" px="sm" py={4} role="alert">
            {switchTo.error.message}
          </Text>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}

/** DE/EN: remembered in this browser and saved on the account for e-mails and other devices. */
export function LanguageSwitch({ fullWidth }: { fullWidth?: boolean }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const select = async (value: string) => {
    const locale = value as Locale;
    await changeLocale(locale);
    const me = queryClient.getQueryData<Me>(["me"]);
    if (me) {
      queryClient.setQueryData<Me>(["me"], { ...me, user: { ...me.user, locale } });
      api("/api/v1/me", { method: "PATCH", body: { locale } }).catch(() => {
        // The browser remembers the choice; the account catches up on the next switch.
      });
    }
  };
  return (
    <SegmentedControl
      size="xs"
      fullWidth={fullWidth}
      value={i18n.resolvedLanguage ?? "en"}
      onChange={select}
      aria-label={t("header.language")}
      data={locales.map((locale) => ({
        value: locale,
        label: (
          <span title={t(`languages.${locale}`)} lang={locale}>
            {locale.toUpperCase()}
          </span>
        ),
      }))}
    />
  );
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]![0], parts.at(-1)![0]] : [name.trim()[0] ?? "?"];
  return letters.join("").toUpperCase();
}

export function UserMenu({ me }: { me: Me }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: () => api("/api/auth/sign-out", { method: "POST", body: {} }),
    onSettled: async () => {
      queryClient.clear();
      await navigate({ to: "/login", search: {} });
    },
  });
  return (
    <Menu position="bottom-end" width={240} withinPortal>
      <Menu.Target>
        <UnstyledButton className="user-button" aria-label={t("header.userMenu")}>
          <Group gap={8} wrap="nowrap">
            <Avatar size={30} radius="xl" color="indigo" variant="light">
              {initials(me.user.name)}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="md" className="truncate" maw={160}>
              {me.user.name}
            </Text>
            <IconChevronDown size={14} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t("header.signedInAs")}</Menu.Label>
        <div className="menu-identity">
          <Text size="sm" fw={500} className="truncate">
            {me.user.name}
          </Text>
          <Text size="xs" c="dimmed" className="truncate">
            {me.user.email}
          </Text>
          {me.role && (
            <Text size="xs" c="dimmed">
              {t(`roles.${me.role}`)}
            </Text>
          )}
        </div>
        <Menu.Divider />
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => signOut.mutate()}>
          {t("header.signOut")}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
