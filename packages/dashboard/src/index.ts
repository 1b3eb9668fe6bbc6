/**
 * @anneal/dashboard: a local web page of the runs and studies under a folder, updated live while
 * they train (`anneal dashboard [dir]`).
 *
 * Why Hono (with @hono/node-server): a small, dependency-free, well-kept web framework with
 * routing, middleware and a server-sent-events helper, on Node 20. Fastify 5 was the other
 * candidate; its current releases pull in dependencies (cookie 2, content-disposition 3) that
 * declare Node >= 22, which this project does not require. Charts are the Vega-Lite specs of
 * @anneal/report and @anneal/search, rendered in the page by vega-embed (bundled at build time
 * by vite into dist/client, so nothing is fetched from a CDN).
 *
 * @example
 * ```ts
 * import { startDashboard } from '@anneal/dashboard';
 * const dashboard = await startDashboard({ dir: 'runs' });
 * console.log(`open ${dashboard.url}`);
 * process.on('SIGINT', () => void dashboard.close());
 * ```
 */
export { startDashboard, DEFAULT_PORT, type Dashboard, type DashboardOptions } from './start-dashboard.js';
export { DashboardError } from './errors.js';
export { isLoopbackHost } from './host-policy.js';
export type { DashboardChart } from './dashboard-chart.js';
export type { RunListing, RunStatus } from './run-summary.js';
export type { ParetoView, RunView, StudyListing, StudyView, TrialRow } from './dashboard-data.js';
export type { HypervolumeView, ObjectiveView } from './study-front.js';
export { trialCurvesSpec } from './trial-curves-chart.js';
