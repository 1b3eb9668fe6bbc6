import { describe, expect, it } from 'vitest';
import type { RunCurves } from '../curves.js';
import { diagnose } from '../doctor.js';
import { formatValue } from '../findings.js';
import { healthyRun, RATIOS, updateRatioRun } from '../synthetic-curves.js';
import { updateRatioRule } from './update-ratio.js';

const run = (curves: RunCurves, options = {}) => diagnose(curves, { rules: [updateRatioRule], ...options });
const SEEDS = [1, 2, 3, 4, 5];

describe('update-ratio', () => {
  it.each(SEEDS)('lists the tensors above and below the band with their median ratios, one finding per side (seed %i)', (seed) => {
    const findings = run(updateRatioRun(seed).curves);
    expect(findings.map((f) => f.title)).toEqual(['Update/weight ratio too high: these tensors change too fast', 'Update/weight ratio too low: these tensors barely learn']);
    const [high, low] = findings;
    expect(high!.tensors!.map((t) => [t.name, t.side])).toEqual([['fc1.weight', 'too-high']]);
    expect(low!.tensors!.map((t) => [t.name, t.side])).toEqual([
      ['fc2.weight', 'too-low'],
      ['fc2.bias', 'too-low'],
    ]);
    for (const t of [...high!.tensors!, ...low!.tensors!]) expect(Math.abs(t.ratio / RATIOS[t.name as keyof typeof RATIOS] - 1)).toBeLessThan(0.15);
    // Ratios every 10 steps; the first 10% of the run (steps 0-99) is ignored.
    expect(high!.steps).toEqual([100, 990]);
    expect(high!.evidence[0]).toBe('Median ‖update‖/‖weight‖ over steps 100-990 (90 measurements) above 0.0100 (~1.0e-3 is typical):');
    const [name, ratio, times] = /^(\S+): (\S+) \((\S+)x typical\)$/.exec(high!.evidence[1]!)!.slice(1);
    expect(name).toBe('fc1.weight');
    expect(Number(times)).toBeCloseTo(Number(ratio) / 1e-3, 0);
    // Per-tensor lr: 1e-3 / (median flagged ratio): ~1e-3 / 3e-2 and ~1e-3 / 3.5e-5 (the median of 2e-5 and 5e-5); no global action.
    const scale = (f: typeof high) => Number(/lrScale ≈ (\S+) \(1\.0e-3 \/ their median ratio\)\.$/.exec(f!.suggestion)![1]);
    expect(high!.suggestion).toMatch(/^Lower the lr of these tensors only: a parameter group/);
    expect(Math.abs(scale(high) / (1e-3 / 3e-2) - 1)).toBeLessThan(0.15);
    expect(low!.suggestion).toMatch(/^Raise the lr of these tensors only: a parameter group/);
    expect(Math.abs(scale(low) / (1e-3 / 3.5e-5) - 1)).toBeLessThan(0.15);
    expect(high!.action).toBeUndefined();
    expect(low!.action).toBeUndefined();
  });

  it('suggests a global lr factor when every tensor is on the same side', () => {
    const { curves } = healthyRun(1, { ratios: { a: () => 2e-2, b: () => 4e-2 } });
    const [f] = run(curves);
    // Every tensor too high: a global factor of 1e-3 / (median of the two medians ~3e-2), ~1/30 in the text, 1/10 as the action.
    const factor = 1e-3 / ((f!.tensors![0]!.ratio + f!.tensors![1]!.ratio) / 2);
    expect(f!.suggestion).toBe(`Lower the learning rate ~${formatValue(1 / factor)}x (every tensor is too-high).`);
    expect(1 / factor).toBeGreaterThan(25);
    expect(f!.action).toEqual({ lrFactor: 0.1 });
    // With a narrower band (middle sqrt(1e-4 * 5e-3) = 7.1e-4) the factor 7.1e-4 / ~6e-3 stays inside the 10x limit.
    const [mild] = run(healthyRun(1, { ratios: { a: () => 5.5e-3, b: () => 6.5e-3 } }).curves, { ratioHigh: 5e-3 });
    expect(mild!.action!.lrFactor).toBeCloseTo(Math.sqrt(1e-4 * 5e-3) / mild!.tensors!.map((t) => t.ratio).reduce((a, b) => (a + b) / 2), 12);
    expect(mild!.action!.lrFactor).toBeGreaterThan(0.1);
    // Far outside the band the text stops at 100x.
    const [extreme] = run(healthyRun(1, { ratios: { a: () => 1e-8, b: () => 1e-8 } }).curves);
    expect(extreme!.suggestion).toBe('Raise the learning rate ~100x (every tensor is too-low).');
    expect(extreme!.action).toEqual({ lrFactor: 10 });
  });

  it('ignores the first steps (zero-initialized biases) and tensors with too few measurements', () => {
    const { curves } = healthyRun(1, { ratios: { bias: (t) => (t < 90 ? 1 : 1e-3), weight: () => 1e-3 } });
    expect(run(curves)).toEqual([]);
    const sparse = { ...curves, ratios: curves.ratios.map((p) => (p.step === 500 ? { ...p, ratios: { ...p.ratios, rare: 1 } } : p)) };
    expect(run(sparse)).toEqual([]);
  });

  it('never flags normalization scales as too low (their norm starts at sqrt(C)), but still flags other tensors', () => {
    const scales = ['bn0.weight', 'layer1.0.bn2.weight', 'encoder.LayerNorm.weight', 'ln_f.weight', 'gn1.scale', 'norm.gamma'];
    const low = Object.fromEntries(scales.map((n) => [n, () => 5e-5]));
    expect(run(healthyRun(1, { ratios: { ...low, 'conv0.weight': () => 1e-3 } }).curves)).toEqual([]);
    const [f] = run(healthyRun(1, { ratios: { ...low, 'conv0.weight': () => 1e-3, 'fc.weight': () => 5e-5, 'knorm.weight': () => 5e-5 } }).curves);
    expect(f!.tensors!.map((t) => t.name).sort()).toEqual(['fc.weight', 'knorm.weight']);
  });

  it('follows ratioLow / ratioHigh and stays quiet on healthy ratios or none', () => {
    expect(run(updateRatioRun(1).curves, { ratioLow: 1e-5, ratioHigh: 0.1 })).toEqual([]);
    for (const seed of SEEDS) expect(run(healthyRun(seed).curves)).toEqual([]);
    expect(run({ ...healthyRun(1).curves, ratios: [] })).toEqual([]);
  });
});
