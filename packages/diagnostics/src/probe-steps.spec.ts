import { describe, expect, it } from 'vitest';
import { checkInitialLoss, expectedInitialLoss } from './initial-loss.js';
import { probeLearningRates } from './lr-probe.js';
import { mnistSetup } from './mnist-fixture.js';
import { overfitSmallSample } from './overfit-sample.js';
import { lrRangeTest } from './range-test.js';

const setup = mnistSetup({ perDigit: 60 });

describe('expectedInitialLoss', () => {
  it('is ln C for cross-entropy, ln 2 for BCE and E[y²] for MSE', () => {
    expect(expectedInitialLoss({ kind: 'cross-entropy', classes: 10 })).toBeCloseTo(2.302585, 6);
    expect(expectedInitialLoss({ kind: 'binary-cross-entropy' })).toBeCloseTo(0.693147, 6);
    expect(expectedInitialLoss({ kind: 'mse', targetSecondMoment: 2.5 })).toBe(2.5);
  });
});

describe('checkInitialLoss on a real MNIST MLP', () => {
  it('accepts a fresh model: the first loss is within 15% of ln 10', async () => {
    const r = await checkInitialLoss(setup.target());
    expect(r.ok).toBe(true);
    expect(Math.abs(r.observed - Math.log(10))).toBeLessThan(0.15 * Math.log(10));
    expect(r.examples).toBe(128);
    expect(r.labelCounts!.reduce((a, b) => a + b, 0)).toBe(128);
    expect(r.causes).toEqual([]);
  });

  it('flags weights initialised 8x too large, with init/normalisation as the first cause', async () => {
    const r = await checkInitialLoss(setup.target({ initScale: 8 }));
    expect(r.ok).toBe(false);
    expect(r.observed).toBeGreaterThan(1.5 * Math.log(10));
    expect(r.causes[0]).toMatch(/initialised with too large a scale/);
    expect(r.verdict).toMatch(/differs from the expected 2\.3026/);
  });

  it('flags labels the head cannot represent', async () => {
    const target = setup.target();
    const r = await checkInitialLoss({ ...target, loss: { kind: 'cross-entropy', classes: 5 } });
    expect(r.ok).toBe(false);
    expect(r.causes.join(' ')).toMatch(/labels are outside 0\.\.4/);
  });
});

describe('overfitSmallSample', () => {
  it('a 784-64-10 MLP memorises 64 digits within the budget', async () => {
    const r = await overfitSmallSample(setup.target(), { lr: 3e-3, batches: 2 });
    expect(r.reached).toBe(true);
    expect(r.finalAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(r.examples).toBe(64);
    expect(r.steps).toBeLessThanOrEqual(300);
    expect(r.losses.length).toBe(r.steps);
  });

  it('reports a model that cannot fit (lr far too low) and says why', async () => {
    const r = await overfitSmallSample(setup.target(), { lr: 1e-7, batches: 2, maxSteps: 60 });
    expect(r.reached).toBe(false);
    expect(r.verdict).toMatch(/could not fit 64 examples in 60 steps/);
    expect(r.causes[0]).toMatch(/barely moved/);
  });
});

describe('probeLearningRates', () => {
  it('keeps the Adam rates that make the loss drop and drops the one that does not', async () => {
    const r = await probeLearningRates(setup.target(), { lrs: [1e-2, 1e-3, 1e-6], iterations: 60 });
    const by = Object.fromEntries(r.runs.map((x) => [x.lr, x]));
    expect(by[1e-2]!.kept).toBe(true);
    expect(by[1e-3]!.kept).toBe(true);
    expect(by[1e-6]!.kept).toBe(false);
    expect(by[1e-6]!.drop).toBeLessThan(0.1);
    expect(by[1e-2]!.final).toBeLessThan(0.8);
    expect(r.best).toBe(1e-2);
    for (const run of r.runs) expect(run.losses).toHaveLength(60);
  });
});

describe('lrRangeTest', () => {
  it('sweeps lr exponentially, stops when the loss blows up and suggests a rate Adam can use', async () => {
    const r = await lrRangeTest(setup.target(), { start: 1e-6, end: 10, steps: 120 });
    expect(r.lrs[0]).toBeCloseTo(1e-6, 12);
    for (let i = 1; i < r.lrs.length; i++) expect(r.lrs[i]! / r.lrs[i - 1]!).toBeCloseTo((10 / 1e-6) ** (1 / 119), 6);
    expect(r.stoppedEarly).toBe(true);
    expect(r.lrs.length).toBeLessThan(120);
    expect(r.suggested).toBeGreaterThan(1e-4);
    expect(r.suggested).toBeLessThan(5e-2);
    expect(r.minimum!).toBeGreaterThan(r.suggested!);
  });
});
