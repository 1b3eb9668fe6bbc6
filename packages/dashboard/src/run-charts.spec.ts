import { describe, expect, it } from 'vitest';
import { batchRecords, epochRecords } from './run-records.js';
import { epochLossChart, runViewCharts } from './run-charts.js';
import { runRecords } from './test-fixtures.js';

describe('run charts', () => {
  const records = runRecords({ epochs: 4, batches: 8, normsEvery: 3 });

  it('makes every chart of a run view from the report builders', () => {
    const charts = runViewCharts(records);
    expect(charts.map((c) => c.name)).toEqual(['loss', 'batch-loss', 'accuracy', 'metrics', 'lr', 'hyperparameters', 'ratios']);
    for (const c of charts) expect(c.error, c.name).toBeUndefined();
    expect(JSON.stringify(charts.find((c) => c.name === 'hyperparameters')!.spec)).toContain('hp.momentum');
    expect(JSON.stringify(charts.find((c) => c.name === 'ratios')!.spec)).toContain('fc.weight');
    expect(JSON.stringify(charts.find((c) => c.name === 'metrics')!.spec)).toContain('val top3');
  });

  it('clips the ±std band to the min..max of the epoch’s batch losses and spreads the batches around their epoch', () => {
    const epochs = epochRecords(records);
    const spec = epochLossChart(epochs, batchRecords(records));
    const band = spec.series[0]!;
    band.points.forEach((p, i) => {
      const l = epochs[i]!.train.loss;
      expect(p.x).toBe(epochs[i]!.epoch);
      expect(p.lo).toBeCloseTo(Math.max(l.mean - l.std, l.min), 12);
      expect(p.hi).toBeCloseTo(Math.min(l.mean + l.std, l.max), 12);
      expect(p.lo!).toBeGreaterThanOrEqual(l.min);
    });
    const batches = spec.series.find((s) => s.name === 'batch loss')!;
    expect(batches.points).toHaveLength(32);
    // the file's first epoch is 1 here: its batches lie in (0.5, 1.5), around the epoch's mean
    expect(Math.min(...batches.points.slice(0, 8).map((p) => p.x))).toBeGreaterThan(0.5);
    expect(Math.max(...batches.points.slice(0, 8).map((p) => p.x))).toBeLessThan(1.5);
  });

  it('draws epoch numbers as the file writes them (0-based files stay 0-based)', () => {
    const zero = runRecords({ epochs: 2, firstEpoch: 0 });
    expect(epochLossChart(epochRecords(zero), batchRecords(zero)).series[0]!.points.map((p) => p.x)).toEqual([0, 1]);
  });

  it('puts the loss axes on a log scale when asked', () => {
    const charts = runViewCharts(records, { logLoss: true });
    for (const name of ['loss', 'batch-loss']) expect(JSON.stringify(charts.find((c) => c.name === name)!.spec), name).toContain('"type":"log"');
    expect(JSON.stringify(runViewCharts(records).find((c) => c.name === 'loss')!.spec)).not.toContain('"type":"log"');
  });

  it('shows the batch charts of a run still in its first epoch, and nothing for an empty file', () => {
    const firstBatches = runRecords({ epochs: 1 }).filter((r) => r.kind === 'batch');
    expect(runViewCharts(firstBatches).map((c) => c.name)).toEqual(['batch-loss', 'lr', 'hyperparameters']);
    expect(runViewCharts([])).toEqual([]);
  });
});
