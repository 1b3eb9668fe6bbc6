import type { VegaLiteSpec } from '@anneal/report';

/** One chart of a view: a Vega-Lite spec the page renders with vega-embed, or why it could not be made. */
export interface DashboardChart {
  /** Stable id within the view (the page keeps the chart's Vega view under it and streams new data into it). */
  name: string;
  title: string;
  spec?: VegaLiteSpec;
  caption?: string;
  /** Set instead of `spec` when the builder refused the data (e.g. nothing drawable yet). */
  error?: string;
}

/** A chart from a builder, or the builder's message when it refuses the data. */
export function tryChart(name: string, title: string, build: () => VegaLiteSpec, caption?: string): DashboardChart {
  try {
    return { name, title, spec: build(), ...(caption ? { caption } : {}) };
  } catch (e) {
    return { name, title, error: (e as Error).message };
  }
}
