import { Box, Group, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";

/** The common head of a page: title, one line of explanation, and the page's main actions. */
export function PageHeader({
  title,
  description,
  actions,
  order = 1,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  order?: 1 | 2;
}) {
  return (
    <Group justify="space-between" align="flex-start" gap="sm" mb="md" wrap="wrap">
      <Stack gap={2}>
        <Title order={order} size={order === 1 ? "h3" : "h4"}>
          {title}
        </Title>
        {description && (
          <Text size="sm" c="dimmed" maw={640}>
            {description}
          </Text>
        )}
      </Stack>
      {actions}
    </Group>
  );
}

export function PageBody({ children, maw = 1200 }: { children: ReactNode; maw?: number }) {
  return (
    <Box className="page-body" maw={maw}>
      {children}
    </Box>
  );
}
