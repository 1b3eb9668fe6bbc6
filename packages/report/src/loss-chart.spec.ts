import { describe, expect, it } from 'vitest';
import { ChartError } from './errors.js';
import { lossChart } from './loss-chart.js';
import { lineChartSvg } from './render-svg.js';
import { markPaths } from './test-helpers.js';

const epochs = [
  { epoch: 1, mean: 1.0, std: 0.25, valLoss: 0.9 },
  { epoch: 2, mean: 0.5, std: 0.125, valLoss: 0.6 },
  { epoch: 3, mean: 0.25, std: 0.0625 },
];
const batches = Array.from({ length: 12 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1) }));

describe('lossChart', () => {
  it('plots the epoch mean with a mean ± std band', () => {
    const spec = lossChart(epochs);
    expect(spec).toMatchObject({ title: 'Training loss', x: { label: 'epoch' }, y: { label: 'loss' } });
    const train = spec.series[0];
    expect(train.band).toBe(true);
    expect(train.points).toEqual([
      { x: 1, y: 1, lo: 0.75, hi: 1.25 },
      { x: 2, y: 0.5, lo: 0.375, hi: 0.625 },
      { x: 3, y: 0.25, lo: 0.1875, hi: 0.3125 },
    ]);
  });

  it('clips the band to the batch losses the epoch had: a skewed epoch never draws a band below its smallest loss', () => {
    // batch losses 0.01, 0.01, 0.01, 2.0: mean 0.5075, std (population) 0.8617; mean - std is below zero
    const losses = [0.01, 0.01, 0.01, 2.0];
    const mean = losses.reduce((a, b) => a + b) / 4;
    const std = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    const [p] = lossChart([{ epoch: 1, mean, std, min: 0.01, max: 2.0 }]).series[0]!.points;
    expect(mean - std).toBeLessThan(0);
    expect(p).toEqual({ x: 1, y: mean, lo: 0.01, hi: mean + std });
    const [q] = lossChart([{ epoch: 1, mean: 1, std: 0.5, min: 0.8, max: 1.2 }]).series[0]!.points;
    expect(q).toEqual({ x: 1, y: 1, lo: 0.8, hi: 1.2 });
  });

  it('adds the validation loss only for the epochs that have one', () => {
    const val = lossChart(epochs).series.find((s) => s.name === 'val loss');
    expect(val?.points).toEqual([{ x: 1, y: 0.9 }, { x: 2, y: 0.6 }]);
    expect(lossChart(epochs.map(({ valLoss: _, ...e }) => e)).series.map((s) => s.name)).toEqual(['train loss (mean ± std)']);
  });

  it('places batch losses at step / stepsPerEpoch as faint points', () => {
    const batch = lossChart(epochs, batches, 4).series.find((s) => s.name === 'batch loss');
    expect(batch).toMatchObject({ mark: 'points', opacity: 0.3 });
    expect(batch?.points.slice(0, 5).map((p) => p.x)).toEqual([0.25, 0.5, 0.75, 1, 1.25]);
    expect(batch?.points[11]).toEqual({ x: 3, y: 1 / 12 });
  });

  it('infers stepsPerEpoch as the last step over the last epoch', () => {
    const batch = lossChart(epochs, batches).series.find((s) => s.name === 'batch loss');
    expect(batch?.points.map((p) => p.x)).toEqual(lossChart(epochs, batches, 4).series[2].points.map((p) => p.x));
  });

  it('renders a band, two lines and one symbol per batch and epoch point, skipping a NaN epoch', async () => {
    const withNaN = [...epochs, { epoch: 4, mean: NaN, std: NaN, valLoss: 0.5 }];
    const svg = await lineChartSvg(lossChart(withNaN, batches, 4));
    expect(markPaths(svg, 'area')).toHaveLength(1);
    expect(markPaths(svg, 'line')).toHaveLength(2);
    expect(markPaths(svg, 'symbol')).toHaveLength(12 + 3 + 3); // batches + finite train means + val losses
  });

  it('refuses no epochs and a non-positive stepsPerEpoch', () => {
    expect(() => lossChart([])).toThrow(ChartError);
    expect(() => lossChart([])).toThrow("chart 'Training loss': no epochs to plot");
    expect(() => lossChart(epochs, batches, 0)).toThrow(/stepsPerEpoch must be a positive number, got 0/);
  });
});
