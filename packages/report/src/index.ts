/**
 * @anneal/report: training charts as SVG and PNG, rendered in Node without a browser.
 *
 * Why Vega-Lite + resvg: a chart is a declarative Vega-Lite spec (plain JSON), so the very same
 * spec that Vega's headless View turns into SVG here can be embedded in the later HTML report and
 * rendered live in a browser — one chart definition, two outputs, no hand-written drawing code.
 * PNGs come from resvg, a pure-Rust SVG rasterizer shipped as prebuilt binaries inside its npm
 * platform packages: no node-canvas, cairo, pango or browser to install or compile. Vega only
 * tries the optional `canvas` package for text measurement and falls back to estimates without it.
 * Text in PNGs uses system fonts (DejaVu Sans first; `fonts-dejavu-core` on Debian).
 *
 * @example
 * ```ts
 * import { lossChart, writeChart } from '@anneal/report';
 * await writeChart('runs/7/loss', lossChart(epochs, batches, stepsPerEpoch)); // loss.svg + loss.png
 * ```
 */
export { ChartError } from './errors.js';
export type { ChartPoint, ChartSeries, AxisSpec, LineChartSpec, ChartGridSpec } from './types.js';
export { lineChartVegaLite, chartGridVegaLite, CHART_FONT } from './vega-lite-spec.js';
export { lineChartSvg, chartGridSvg } from './render-svg.js';
export { svgToPng, type PngOptions } from './svg-to-png.js';
export { writeChart, type WrittenChart } from './write-chart.js';
export { lossChart, type EpochLoss, type BatchLoss } from './loss-chart.js';
export { accuracyChart, type EpochAccuracy } from './accuracy-chart.js';
export { scheduleChart, type ScheduleValues, type ScheduleChartOptions } from './schedule-chart.js';
export { vegaLiteSvg, writeVegaLite, type VegaLiteSpec } from './vega-lite-svg.js';
export { batchLossChart, debiasedEma, type BatchLossChartOptions } from './batch-loss-chart.js';
export { ratioChart, type RatioChartOptions } from './ratio-chart.js';
export { lrProbeChart, type LrProbe } from './lr-probe-chart.js';
export { rangeTestChart, type RangeTest } from './range-test-chart.js';
export { gridChart, type GridCell, type GridChartOptions } from './grid-chart.js';
export { formatSci, formatValue } from './format-number.js';
export type { ReportChart, ReportFinding, ReportSection, ReportStatus, ReportDocument } from './report-document.js';
export { ReportError } from './report-error.js';
export { reportHtml } from './report-html.js';
export { reportMarkdown, type ChartFiles } from './report-markdown.js';
export { writeReport, type WrittenReport, type WriteReportOptions } from './write-report.js';
