// The dashboard in headless Debian chromium (playwright-core, no browser download) following REAL
// training: the page is opened on an empty folder, then `fit` (MNIST MLP) and `tune` (Iris, random
// search, median pruning) start in other processes; the run and the study appear and grow with no
// reload; a multi-objective study written by @anneal/search shows its Pareto front and follows new
// trials. Screenshots go to docs/images with ANNEAL_SCREENSHOTS=1, else to a temporary folder.
// Skipped only when no chromium binary is installed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from '@anneal/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from './start-dashboard.js';
import { ensureClientBuilt } from './test-client.js';
import { writeParetoStudy } from './test-fixtures.js';
import { trainInBackground, type TrainingProcess } from './test-train.js';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const shots = process.env.ANNEAL_SCREENSHOTS === '1' ? join(repo, 'docs', 'images') : join(tmpdir(), 'anneal-dashboard-screenshots');

const EPOCHS = 10;
const fitConfig = {
  name: 'live-mnist',
  seed: 0,
  data: { source: { type: 'mnist', perDigit: 500 }, split: { test: 0.2, val: 0.2, seed: 0, stratify: true }, batchSize: 16 },
  model: { type: 'mlp', hidden: [128] },
  optimizer: { type: 'momentum', lr: 0.05, momentum: 0.9 },
  schedules: [
    { target: 'lr', schedule: { type: 'warmup', steps: 50, inner: { type: 'cosine', base: 0.05, tMax: 2000 } } },
    { target: 'momentum', schedule: { type: 'linear', base: 0.95, startFactor: 0.85, endFactor: 1, totalIters: 1000 } },
  ],
  metrics: ['accuracy', 'top3'],
  train: { epochs: EPOCHS, normsEvery: 25, threads: 1 },
};
const tuneConfig = {
  name: 'iris-tune',
  base: { name: 'iris-mlp', seed: 0, data: { source: { type: 'iris' }, split: { test: 0.2, val: 0.2, seed: 0, stratify: true }, batchSize: 16 }, model: { type: 'mlp', hidden: [16] }, optimizer: { type: 'adam', lr: 0.01 }, train: { epochs: 5, threads: 1 } },
  space: { 'optimizer.lr': { type: 'float', low: 1e-5, high: 0.3, log: true }, 'model.hidden': { type: 'categorical', choices: [[4], [32]] } },
  metric: 'val.loss',
  direction: 'minimize',
  trials: 6,
  sampler: { type: 'random', seed: 3 },
  pruner: { type: 'median', startupTrials: 2, warmupSteps: 1 },
  parallel: 1,
};

describe.skipIf(!findChromium())('dashboard in headless chromium on real training (skipped when no chromium binary is found: apt-get install chromium)', () => {
  const root = mkdtempSync(join(tmpdir(), 'anneal-dashboard-live-'));
  let dashboard: Dashboard;
  let browser: Browser;
  let page: Page;
  let fit: TrainingProcess | undefined;
  let tune: TrainingProcess | undefined;
  const errors: string[] = [];
  const foreign: string[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    await ensureClientBuilt();
    dashboard = await startDashboard({ dir: root, port: 0, pollMs: 200 });
    browser = await chromium.launch({ executablePath: findChromium(), args: ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => void (m.type() === 'error' && errors.push(`console: ${m.text()}`)));
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    page.on('request', (r) => void (r.url().startsWith(dashboard.url) || r.url().startsWith('data:') || foreign.push(r.url())));
    page.on('response', (r) => void (r.status() >= 400 && errors.push(`http ${r.status()}: ${r.url()}`)));
  }, 180_000);

  afterAll(async () => {
    fit?.child.kill('SIGKILL');
    tune?.child.kill('SIGKILL');
    await browser?.close();
    await dashboard?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows a fit that starts after the page opened, and its new epochs as they are written, without a reload', async () => {
    await page.goto(dashboard.url);
    await page.locator('#live.on').waitFor({ timeout: 20_000 });
    const pageId = await page.evaluate(() => document.body.dataset.pageId);
    await page.locator('p.empty').waitFor({ timeout: 10_000 });
    // 400 ms after each epoch: on a quiet machine the 10 epochs take about a second, faster than a page shows them
    fit = trainInBackground({ kind: 'fit', config: fitConfig, dir: join(root, 'live-mnist'), epochPauseMs: 400 });
    await page.locator('tr[data-run="live-mnist"] a').waitFor({ timeout: 90_000 });
    tune = trainInBackground({ kind: 'tune', config: tuneConfig, dir: join(root, 'iris-tune') });
    await page.locator('tr[data-run="live-mnist"] a').click();
    const view = page.locator('section.run-view[data-path="live-mnist"]');
    await view.waitFor({ timeout: 20_000 });

    const seen: number[] = [];
    let exited = false;
    void fit.done.then(() => (exited = true));
    let shot = false;
    // polls until the fit has exited and its last epoch is shown, or 150 s (a loaded CI machine)
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const epochs = Number(await view.getAttribute('data-epochs'));
      if (seen.at(-1) !== epochs) seen.push(epochs);
      if (epochs === 1) await page.evaluate(() => document.querySelector('figure[data-chart="loss"]')?.setAttribute('data-first-seen', 'yes'));
      if (!shot && epochs >= 4 && (await view.getAttribute('data-status')) === 'running') {
        await page.locator('figure[data-chart="ratios"] svg.marks').waitFor();
        await page.screenshot({ path: join(shots, 'dashboard-fit.png'), fullPage: true });
        shot = true;
      }
      if (exited && epochs === EPOCHS) break;
      await page.waitForTimeout(100);
    }
    expect(await fit.done, fit.output()).toBe(0);
    const lines = readFileSync(join(root, 'live-mnist', 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"kind":"epoch"'));
    expect(seen.at(-1)).toBe(lines.length);
    // epochs appeared while the page stayed open: at least two intermediate counts were shown (a page
    // rendering on a loaded machine may draw several epochs in one update: '0, 1, 5, 10' was seen in CI;
    // without the pause a quiet machine trained all 10 before the run view opened)
    expect(seen.filter((n) => n > 0 && n < EPOCHS).length, `epoch counts shown: ${seen.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate(() => document.body.dataset.pageId)).toBe(pageId);
    // the loss chart drawn at epoch 1 is the same element at the end: new data was streamed into it
    if (seen.includes(1)) expect(await page.locator('figure[data-chart="loss"][data-first-seen="yes"]').count()).toBe(1);
    await page.locator('section.run-view[data-status="finished"]').waitFor({ timeout: 10_000 });
    for (const name of ['loss', 'batch-loss', 'accuracy', 'metrics', 'lr', 'hyperparameters', 'ratios']) {
      const paths = await page.locator(`figure[data-chart="${name}"] svg.marks path`).count();
      expect(paths, name).toBeGreaterThan(2);
    }
    expect(await page.locator('#findings h2').textContent()).toBe('Doctor');
    if (!shot) await page.screenshot({ path: join(shots, 'dashboard-fit.png'), fullPage: true });
    await page.locator('#log-loss').check();
    await expect.poll(() => page.locator('figure[data-chart="loss"] svg.marks').evaluate((svg) => svg.textContent)).toBeTruthy();
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  }, 240_000);

  it('shows the study of a real tune: history, parallel coordinates with whole labels, importance, per-trial curves with pruned trials marked', async () => {
    tune ??= trainInBackground({ kind: 'tune', config: tuneConfig, dir: join(root, 'iris-tune') });
    // opened once the list shows it (before its study.jsonl exists, /api/study answers 404, which
    // the browser logs as a console error)
    await page.evaluate(() => (location.hash = '#/'));
    await page.locator('tr[data-study="iris-tune"]').waitFor({ timeout: 60_000 });
    await page.evaluate(() => (location.hash = '#/study/iris-tune'));
    await page.locator('section.study-view').waitFor({ timeout: 60_000 });
    expect(await tune!.done, tune!.output()).toBe(0);
    const summary = JSON.parse(readFileSync(join(root, 'iris-tune', 'summary.json'), 'utf8')) as { trials: { complete: number; pruned: number } };
    expect(summary.trials.pruned).toBeGreaterThanOrEqual(1);
    await page.locator('section.study-view[data-trials="6"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('tr[data-state="pruned"]').count(), { timeout: 10_000 }).toBe(summary.trials.pruned);
    for (const name of ['history', 'parallel', 'importance', 'curves']) await page.locator(`figure[data-chart="${name}"] svg.marks`).waitFor({ timeout: 20_000 });
    const importance = await page.locator('figure[data-chart="importance"] svg.marks').textContent();
    expect(importance).toContain('optimizer.lr');
    expect(importance).toContain('model.hidden');
    // one cross per pruned trial where the pruner stopped it (the curves chart's second layer)
    await expect.poll(() => page.locator('figure[data-chart="curves"] g.layer_1_marks path').count(), { timeout: 10_000 }).toBe(summary.trials.pruned);
    // no axis label of the parallel coordinates sticks out of the drawing
    const clipped = await page.locator('figure[data-chart="parallel"] svg.marks').evaluate((svg) => {
      const box = svg.getBoundingClientRect();
      return Array.from(svg.querySelectorAll('text')).filter((t) => {
        const r = t.getBoundingClientRect();
        return t.textContent && (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5);
      }).map((t) => t.textContent);
    });
    expect(clipped).toEqual([]);
    await page.screenshot({ path: join(shots, 'dashboard-study.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  }, 180_000);

  it('shows a multi-objective study: objectives, Pareto front points joined in the chart, the front table and hypervolume, following new trials', async () => {
    const dir = join(root, 'pareto');
    // 4 trials of a grid whose front is known (y = 0): trials 0 and 3 so far
    await writeParetoStudy(dir, 'size-vs-quality', { trials: 4, names: ['size', 'quality'], reference: [2, -1] });
    // opened once the server lists it (a study URL opened before its folder scan has it answers 404 until the scan catches up)
    const listed = async () => ((await (await fetch(`${dashboard.url}api/list`)).json()) as { studies: { path: string }[] }).studies.map((x) => x.path);
    await expect.poll(listed, { timeout: 20_000 }).toContain('pareto');
    await page.goto(`${dashboard.url}#/study/pareto`);
    const pageId = await page.evaluate(() => document.body.dataset.pageId);
    const orange = page.locator('figure[data-chart="pareto"] g.layer_1_marks path[fill="#f58518"]');
    await page.locator('.front-facts[data-front="2"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('tr[data-front-trial]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-front-trial')))).toEqual(['0', '3']);
    await expect.poll(() => orange.count(), { timeout: 10_000 }).toBe(2);
    expect(await page.locator('p.objectives').textContent()).toBe('objectives: size (minimize), quality (maximize)');
    // the other 11 trials finish while the page is open: the front grows to 5, drawn without a reload
    await writeParetoStudy(dir, 'size-vs-quality', { trials: 11 });
    await page.locator('.front-facts[data-front="5"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => orange.count(), { timeout: 10_000 }).toBe(5);
    expect(await page.locator('figure[data-chart="pareto"] g.layer_0_marks path').count()).toBe(1);
    expect(await page.locator('tr[data-front-trial]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-front-trial')))).toEqual(['0', '3', '6', '9', '12']);
    expect(await page.locator('table.front thead').textContent()).toBe('trialsize (min)quality (max)xy');
    expect(await page.locator('.hypervolume').textContent()).toContain('hypervolume 3.375 against the reference point [2, -1] (stored with the study)');
    expect(await page.locator('table.trials tr.best').count()).toBe(5);
    expect(await page.evaluate(() => document.body.dataset.pageId)).toBe(pageId);
    await page.screenshot({ path: join(shots, 'dashboard-pareto.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  }, 60_000);
});
