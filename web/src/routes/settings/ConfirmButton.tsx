import { ActionIcon, Button, Group, Modal, Text, Tooltip } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** An icon button for a destructive action that asks before it acts. */
export function ConfirmButton({
  icon,
  label,
  title,
  message,
  confirmLabel,
  onConfirm,
  loading,
}: {
  icon: ReactNode;
  label: string;
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
  loading?: boolean;
}) {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Tooltip label={label} withinPortal>
        <ActionIcon variant="subtle" color="red" onClick={open} aria-label={label} loading={loading}>
          {icon}
        </ActionIcon>
      </Tooltip>
      <Modal opened={opened} onClose={close} title={title} centered size="sm">
        <Text size="sm">{message}</Text>
        <Group justify="flex-end" mt="lg" gap="sm">
          <Button variant="default" onClick={close}>
            {t("app.cancel")}
          </Button>
          <Button
            color="red"
            onClick={() => {
              close();
              onConfirm();
            }}
          >
            {confirmLabel}
          </Button>
        </Group>
      </Modal>
    </>
  );
}
