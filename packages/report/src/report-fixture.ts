// A realistic report for this package's specs only (not exported from index.ts): every chart
// kind of the package, built from deterministic synthetic training curves.
import { accuracyChart } from './accuracy-chart.js';
import { batchLossChart, debiasedEma } from './batch-loss-chart.js';
import { gridChart, type GridCell } from './grid-chart.js';
import { lossChart } from './loss-chart.js';
import { lrProbeChart } from './lr-probe-chart.js';
import { rangeTestChart } from './range-test-chart.js';
import { ratioChart } from './ratio-chart.js';
import type { ReportDocument } from './report-document.js';
import { scheduleChart } from './schedule-chart.js';
import { lineChartVegaLite } from './vega-lite-spec.js';

/** A small deterministic pseudo-random sequence in [0, 1) (LCG), so fixtures never change. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The full report: six sections, eight charts, a table, findings, and one empty section. */
export function sampleReport(): ReportDocument {
  const rand = noise(7);
  const stepsPerEpoch = 50;
  const batches = Array.from({ length: 8 * stepsPerEpoch }, (_, i) => ({ step: i + 1, loss: 0.3 + 2 * Math.exp(-i / 120) + 0.25 * (rand() - 0.5) }));
  const epochs = Array.from({ length: 8 }, (_, e) => {
    const own = batches.slice(e * stepsPerEpoch, (e + 1) * stepsPerEpoch).map((b) => b.loss);
    const mean = own.reduce((a, b) => a + b, 0) / own.length;
    const std = Math.sqrt(own.reduce((a, b) => a + (b - mean) ** 2, 0) / own.length);
    return { epoch: e + 1, mean, std, valLoss: mean + 0.05 + 0.01 * e, trainAccuracy: 1 - mean / 3, valAccuracy: 0.97 - mean / 3 - 0.005 * e };
  });
  const tensors = ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'];
  const ratios = Array.from({ length: 40 }, (_, i) => ({
    step: (i + 1) * 10,
    ratios: Object.fromEntries(tensors.map((t, k) => [t, 1e-3 * 10 ** ((k - 4) / 3) * Math.exp(-i / 60) * (1 + 0.3 * rand())])),
  }));
  const probes = [1e-4, 1e-3, 3e-3, 1e-2, 1e-1].map((lr) => ({
    lr,
    kept: lr >= 1e-3 && lr <= 1e-2,
    losses: Array.from({ length: 30 }, (_, i) => (lr >= 1e-1 ? 2.3 * Math.exp(i / 6) : 2.3 - 1.2 * (1 - Math.exp(-i * lr * 30)) + 0.03 * rand())),
  }));
  const lrs = Array.from({ length: 100 }, (_, i) => 1e-7 * 10 ** (i / 14));
  const losses = lrs.map((lr) => 2.3 - 1.5 / (1 + (3e-4 / lr) ** 1.2) + (lr > 0.05 ? 30 * (lr - 0.05) : 0) + 0.08 * (rand() - 0.5));
  const smoothed = debiasedEma(losses, 0.9);
  const cells: GridCell[] = [];
  for (const lr of [1e-3, 3e-3, 1e-2, 3e-2]) {
    for (const weightDecay of [0, 1e-4, 5e-4]) {
      const value = 0.9 - 0.02 * Math.abs(Math.log10(lr / 3e-3)) - 40 * Math.abs(weightDecay - 1e-4);
      cells.push({ lr, weightDecay, state: lr === 3e-2 ? (weightDecay === 0 ? 'failed' : 'pruned') : 'complete', value });
    }
  }
  const schedule = Array.from({ length: 400 }, (_, s) => (s < 40 ? (3e-3 * (s + 1)) / 40 : 1.5e-3 * (1 + Math.cos((Math.PI * (s - 40)) / 360))));
  return {
    title: 'Run 7 <script>alert("x")</script> & co',
    subtitle: 'ResNet-ish on `digits`, AdamW',
    generatedAt: '2025-01-02T03:04:05Z',
    sections: [
      {
        id: 'training',
        title: 'Training curves',
        status: 'ok',
        paragraphs: ['Loss fell from 2.3 to 0.35 over 8 epochs; `val_loss` tracks it closely.', 'A <b>bold</b> claim stays plain text.'],
        charts: [
          { name: 'loss', title: 'Loss per epoch', spec: lineChartVegaLite(lossChart(epochs, batches, stepsPerEpoch)), caption: 'mean ± std of the batch losses' },
          { name: 'accuracy', title: 'Accuracy', spec: lineChartVegaLite(accuracyChart(epochs)) },
          { name: 'batch-loss', title: 'Batch loss', spec: batchLossChart(batches, { epochSteps: stepsPerEpoch }) },
        ],
      },
      {
        id: 'lr',
        title: 'Learning rate',
        status: 'warning',
        bullets: ['suggested lr: `3e-4`', 'probes kept: 3 of 5'],
        findings: [
          { severity: 'warning', title: 'lr 1e-1 diverged', evidence: ['loss x2 after 4 iterations', 'grad norm 1e4'], suggestion: 'Stay at or below `1e-2`.' },
        ],
        charts: [
          { name: 'lr-probes', title: 'LR probes', spec: lrProbeChart(probes) },
          { name: 'range-test', title: 'Range test', spec: rangeTestChart({ lrs, losses, smoothed, suggested: 3e-4, steepest: 2e-4, minimum: 2e-2 }) },
          { name: 'schedule', title: 'Schedule', spec: lineChartVegaLite(scheduleChart([{ name: 'lr', values: schedule }], { yLabel: 'learning rate' })) },
        ],
      },
      {
        id: 'updates',
        title: 'Update / weight ratios',
        status: 'error',
        findings: [{ severity: 'error', title: 'conv1.bias barely moves', evidence: ['median ratio 2e-5'], suggestion: 'Raise its learning rate.' }],
        charts: [{ name: 'ratios', title: 'Ratios', spec: ratioChart(ratios) }],
      },
      {
        id: 'grid',
        title: 'Grid search',
        status: 'info',
        table: {
          columns: ['lr', 'weight decay', 'val accuracy', 'state'],
          rows: cells.map((c) => [c.lr, c.weightDecay, c.state === 'complete' ? (c.value as number) : '—', c.state]),
        },
        charts: [{ name: 'grid', title: 'Grid', spec: gridChart(cells, { metric: 'val accuracy', direction: 'maximize' }) }],
      },
      { id: 'ensembles', title: 'Ensembles', status: 'skipped' },
      { id: 'notes', title: 'Notes | pipes & `code|pipe`', paragraphs: ['# not a heading', '1. not a list'] },
    ],
  };
}
