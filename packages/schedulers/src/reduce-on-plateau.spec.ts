import { describe, expect, it } from 'vitest';
import { reduceOnPlateau, ScheduleError, type JsonValue } from './index.js';

function observeAll(s: ReturnType<typeof reduceOnPlateau>, metrics: number[]): void {
  metrics.forEach((m, step) => s.observe?.(m, step));
}

describe('reduceOnPlateau', () => {
  it('reduces after more than `patience` bad observations, from the next step on', () => {
    const s = reduceOnPlateau({ base: 1, factor: 0.5, patience: 1 });
    observeAll(s, [3, 2, 2, 2, 1, 1, 1]);
    // step 3: second bad observation -> 0.5 from step 4; step 6: again -> 0.25 from step 7.
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100].map((t) => s.valueAt(t))).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
  });

  it('counts NaN as no improvement (like torch) and ignores bad observations during cooldown', () => {
    const s = reduceOnPlateau({ base: 1, factor: 0.5, patience: 0, cooldown: 2 });
    observeAll(s, [1, Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    // step 1 reduces; steps 2-3 are cooldown; step 4 reduces again.
    expect([1, 2, 3, 4, 5].map((t) => s.valueAt(t))).toEqual([1, 0.5, 0.5, 0.5, 0.25]);
  });

  it('respects min and skips reductions smaller than eps', () => {
    const floor = reduceOnPlateau({ base: 1, factor: 0.1, patience: 0, min: 0.05 });
    observeAll(floor, [1, 1, 1, 1]);
    expect(floor.valueAt(4)).toBe(0.05);
    const tiny = reduceOnPlateau({ base: 3e-8, factor: 0.5, patience: 0, eps: 1e-8 });
    observeAll(tiny, [1, 1, 1, 1, 1]);
    expect(tiny.valueAt(5)).toBe(1.5e-8); // 1.5e-8 -> 7.5e-9 would change it by less than eps
  });

  it('uses absolute and max-mode thresholds', () => {
    const abs = reduceOnPlateau({ base: 1, factor: 0.5, patience: 0, threshold: 0.1, thresholdMode: 'abs' });
    observeAll(abs, [1, 0.95, 0.85]); // 0.95 is not 0.1 better than 1; 0.85 is
    expect([1, 2, 3].map((t) => abs.valueAt(t))).toEqual([1, 0.5, 0.5]);
    const max = reduceOnPlateau({ base: 1, mode: 'max', factor: 0.5, patience: 0, threshold: 0.1 });
    observeAll(max, [0.5, 0.54, 0.56]); // rel: must exceed best * 1.1 = 0.55
    expect([1, 2, 3].map((t) => max.valueAt(t))).toEqual([1, 0.5, 0.5]);
  });

  it('keeps past values: valueAt is a function of the step and the observations so far', () => {
    const s = reduceOnPlateau({ base: 1, factor: 0.5, patience: 0 });
    s.observe?.(1, 10);
    s.observe?.(2, 20);
    expect([0, 20, 21, 1000].map((t) => s.valueAt(t))).toEqual([1, 1, 0.5, 0.5]);
  });

  it('rejects observations whose step does not increase', () => {
    const s = reduceOnPlateau({ base: 1 });
    s.observe?.(1, 5);
    expect(() => s.observe?.(1, 5)).toThrow(/steps must increase, got step 5 after step 5/);
    expect(() => s.observe?.(1, 4)).toThrow(ScheduleError);
  });

  it('round-trips its state through JSON, infinite best included', () => {
    const s = reduceOnPlateau({ base: 1, factor: 0.5, patience: 0 });
    s.observe?.(Number.NaN, 0); // best stays +Infinity
    const snapshot = s.state?.() as { best: JsonValue };
    expect(snapshot.best).toBe('Infinity');
    const copy = reduceOnPlateau({ base: 1, factor: 0.5, patience: 0 });
    copy.restore?.(JSON.parse(JSON.stringify(snapshot)) as JsonValue);
    for (const x of [s, copy]) x.observe?.(5, 1);
    expect(copy.state?.()).toEqual(s.state?.());
    expect(copy.valueAt(2)).toBe(0.5);
  });

  it('rejects a malformed state and keeps its own', () => {
    const s = reduceOnPlateau({ base: 1, factor: 0.5, patience: 0 });
    observeAll(s, [1, 1]);
    const before = s.state?.();
    expect(() => s.restore?.({ best: 1, badSteps: 0, cooldownLeft: 0, lastStep: 1, changes: [[2]] })).toThrow(
      /restore\(state\): changes\[0\] must be a \[step, value\] pair/,
    );
    expect(() => s.restore?.([1, 2])).toThrow(/expected an object/);
    expect(s.state?.()).toEqual(before);
  });
});
