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
  const latest = useRef(option);
  latest.current = option;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    // A chart started in a box without a size cannot lay itself out (the graph's view throws), so
    // it starts once the box has one.
    const follow = () => {
      if (chart.current) {
        chart.current.resize();
      } else if (element.clientWidth > 0 && element.clientHeight > 0) {
        chart.current = echarts.init(element, undefined, { renderer: "canvas" });
        chart.current.setOption(latest.current, { notMerge: true });
      }
    };
    const observer = new ResizeObserver(follow);
    observer.observe(element);
    follow();
    return () => {
      observer.disconnect();
      chart.current?.dispose();
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
