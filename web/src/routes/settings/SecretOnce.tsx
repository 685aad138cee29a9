import { ActionIcon, Alert, Code, CopyButton, Group, Text, Tooltip } from "@mantine/core";
import { IconCheck, IconCopy, IconKey } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";

/** A link or token the server shows exactly once, with a copy button. */
export function SecretOnce({
  title,
  hint,
  value,
  onClose,
}: {
  title: string;
  hint: string;
  value: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Alert
      color="teal"
      variant="light"
      icon={<IconKey size={18} />}
      title={title}
      withCloseButton
      onClose={onClose}
      role="status"
    >
      <Text size="sm" mb="xs">
        {hint}
      </Text>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code block className="secret-value" data-testid="secret-value">
          {value}
        </Code>
        <CopyButton value={value} timeout={2000}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? t("app.copied") : t("app.copy")} withinPortal>
              <ActionIcon
                variant={copied ? "filled" : "light"}
                color="teal"
                onClick={copy}
                aria-label={copied ? t("app.copied") : t("app.copy")}
                size="lg"
              >
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
    </Alert>
  );
}
