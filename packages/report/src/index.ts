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
export { ChartError } from './errors';
export type { ChartPoint, ChartSeries, AxisSpec, LineChartSpec, ChartGridSpec } from './types';
export { lineChartVegaLite, chartGridVegaLite, CHART_FONT } from './vega-lite-spec';
export { lineChartSvg, chartGridSvg } from './render-svg';
export { svgToPng, type PngOptions } from './svg-to-png';
export { writeChart, type WrittenChart } from './write-chart';
export { lossChart, type EpochLoss, type BatchLoss } from './loss-chart';
export { accuracyChart, type EpochAccuracy } from './accuracy-chart';
export { scheduleChart, type ScheduleValues, type ScheduleChartOptions } from './schedule-chart';
export { vegaLiteSvg, writeVegaLite, type VegaLiteSpec } from './vega-lite-svg';
export { batchLossChart, debiasedEma, type BatchLossChartOptions } from './batch-loss-chart';
export { ratioChart, type RatioChartOptions } from './ratio-chart';
export { lrProbeChart, type LrProbe } from './lr-probe-chart';
export { rangeTestChart, type RangeTest } from './range-test-chart';
export { gridChart, type GridCell, type GridChartOptions } from './grid-chart';
export { formatSci, formatValue } from './format-number';
export type { ReportChart, ReportFinding, ReportSection, ReportStatus, ReportDocument } from './report-document';
export { ReportError } from './report-error';
export { reportHtml } from './report-html';
export { reportMarkdown, type ChartFiles } from './report-markdown';
export { writeReport, type WrittenReport, type WriteReportOptions } from './write-report';
