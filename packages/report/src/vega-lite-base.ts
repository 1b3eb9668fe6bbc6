import { CHART_FONT } from './vega-lite-spec.js';
import type { VegaLiteSpec } from './vega-lite-svg.js';

type LayerTopLevel = Extract<VegaLiteSpec, { layer: unknown }>;

/** One layer of a layered Vega-Lite chart. */
export type LayerEntry = LayerTopLevel['layer'][number];

/** The look shared by the package's charts: font, frame, legend (same as the line charts). */
export const CHART_CONFIG = {
  font: CHART_FONT,
  legend: { symbolOpacity: 1, symbolStrokeWidth: 2, labelLimit: 260 },
  view: { stroke: '#ddd' },
} as const;

/** Options of layeredChart. */
export interface LayeredChartOptions {
  title: string;
  subtitle?: string;
  /** Plot width and height in pixels (axes, title and legend come on top). */
  width: number | { step: number };
  height: number | { step: number };
  layer: LayerEntry[];
}

/** A layered Vega-Lite chart with the package's look: white background and CHART_CONFIG. */
export function layeredChart(options: LayeredChartOptions): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.subtitle ? { text: options.title, subtitle: options.subtitle } : options.title,
    width: options.width,
    height: options.height,
    background: 'white',
    config: CHART_CONFIG,
    layer: options.layer,
  };
}

/** The layers of a chart built by lineChartVegaLite (always a layered spec). */
export function layersOf(spec: VegaLiteSpec): LayerEntry[] {
  return 'layer' in spec ? [...spec.layer] : [];
}
