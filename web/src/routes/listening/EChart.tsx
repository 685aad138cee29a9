import { BarChart, GraphChart, LineChart, PieChart, TreemapChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { type Ref, useEffect, useImperativeHandle, useRef } from "react";

// Only the chart types and parts the dashboard draws, so the bundle stays small.
echarts.use([
  BarChart,
  GraphChart,
  LineChart,
  PieChart,
  TreemapChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;
export interface ChartHandle {
  /** The chart as a PNG data URL, on white. */
  png(): string | undefined;
}

/** One ECharts canvas that follows its option and its box's size. */
export function EChart({
  option,
  height = 300,
  label,
  ref,
}: {
  option: ChartOption;
  height?: number;
  /** What the chart shows, for screen readers. */
  label: string;
  ref?: Ref<ChartHandle>;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts>(undefined);

  useEffect(() => {
    if (!box.current) return;
    const instance = echarts.init(box.current, undefined, { renderer: "canvas" });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(box.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  useImperativeHandle(
    ref,
    () => ({
      png: () => chart.current?.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" }),
    }),
    [],
  );

  return <div ref={box} className="echart" role="img" aria-label={label} style={{ height }} />;
}
