import { ActionIcon, Center, Group, Menu, Paper, Stack, Text, Title } from "@mantine/core";
import { IconDots, IconFileSpreadsheet, IconPhoto } from "@tabler/icons-react";
import type { UseQueryResult } from "@tanstack/react-query";
import { type ReactNode, useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { downloadText, downloadUrl, toCsv } from "../../lib/download.js";
import { type ChartHandle, type ChartOption, EChart } from "./EChart.js";

export interface ChartTable {
  header: string[];
  rows: (string | number | null)[][];
}

/**
 * A dashboard tile: title, the chart once its data is there, and downloads of the picture (PNG)
 * and the numbers behind it (CSV).
 */
export function ChartCard<T>({
  title,
  note,
  file,
  query,
  isEmpty,
  option,
  table,
  height,
  span,
}: {
  title: string;
  /** One line under the title, e.g. what the chart cannot filter by. */
  note?: ReactNode;
  /** File name without extension. */
  file: string;
  query: UseQueryResult<T>;
  isEmpty: (data: T) => boolean;
  option: (data: T) => ChartOption;
  table: (data: T) => ChartTable;
  height?: number;
  span?: "full";
}) {
  const { t, i18n } = useTranslation();
  const chart = useRef<ChartHandle>(null);
  const data = query.data;
  const empty = data === undefined || isEmpty(data);
  // A new option redraws (and animates) the chart: only when the data or the language changed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `option` is a new function each render.
  const built = useMemo(
    () => (data === undefined || empty ? undefined : option(data)),
    [data, empty, i18n.language],
  );
  return (
    <Paper
      withBorder
      radius="sm"
      p="md"
      component="section"
      aria-label={title}
      className="chart-card"
      data-span={span}
    >
      <Stack gap="xs" h="100%">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={0}>
            <Title order={2} size="h5">
              {title}
            </Title>
            {note && (
              <Text size="xs" c="dimmed">
                {note}
              </Text>
            )}
          </Stack>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" aria-label={`${t("dashboard.download")}: ${title}`}>
                <IconDots size={16} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item
                leftSection={<IconPhoto size={16} />}
                disabled={empty}
                onClick={() => {
                  const url = chart.current?.png();
                  if (url) downloadUrl(url, `${file}.png`);
                }}
              >
                {t("dashboard.png")}
              </Menu.Item>
              <Menu.Item
                leftSection={<IconFileSpreadsheet size={16} />}
                disabled={empty}
                onClick={() => {
                  if (!data) return;
                  const { header, rows } = table(data);
                  downloadText(toCsv(header, rows), `${file}.csv`);
                }}
              >
                {t("dashboard.csv")}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
        {query.isPending ? (
          <CenteredLoader />
        ) : query.isError ? (
          <ErrorAlert error={query.error} onRetry={() => query.refetch()} />
        ) : !built ? (
          <Center h={height ?? 300}>
            <Text size="sm" c="dimmed">
              {t("dashboard.noData")}
            </Text>
          </Center>
        ) : (
          <EChart ref={chart} option={built} height={height} label={title} />
        )}
      </Stack>
    </Paper>
  );
}
