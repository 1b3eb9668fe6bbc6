import { describe, expect, it } from 'vitest';
import {
  chained,
  constant,
  cosine,
  exponential,
  multiStep,
  reduceOnPlateau,
  sequential,
  ScheduleError,
  warmup,
  type JsonValue,
  type Schedule,
} from './index.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, t) => t);
const at = (s: Schedule, steps: number[]): number[] => steps.map((t) => s.valueAt(t));

describe('warmup', () => {
  it('multiplies the inner schedule without shifting it (a milestone stays where it was)', () => {
    const s = warmup(multiStep({ base: 1, milestones: [5], gamma: 0.1 }), { steps: 4 });
    expect(at(s, range(7))).toEqual([0, 0.25, 0.5, 0.75, 1, 0.1, 0.1]);
  });

  it('linear from startFactor, or a constant factor, then the inner value', () => {
    const inner = cosine({ base: 1, tMax: 20 });
    const lin = warmup(inner, { steps: 4, startFactor: 0.5 });
    expect(at(lin, [0, 2, 4, 9])).toEqual([inner.valueAt(0) * 0.5, inner.valueAt(2) * 0.75, inner.valueAt(4), inner.valueAt(9)]);
    const con = warmup(inner, { steps: 3, mode: 'constant', startFactor: 0.2 });
    expect(at(con, [0, 2, 3])).toEqual([0.2, inner.valueAt(2) * 0.2, inner.valueAt(3)]);
    expect(at(warmup(inner, { steps: 0 }), range(5))).toEqual(at(inner, range(5)));
  });

  it('forwards observe/state/restore to a stateful inner schedule, and has none otherwise', () => {
    const s = warmup(reduceOnPlateau({ base: 1, factor: 0.5, patience: 0 }), { steps: 2 });
    s.observe?.(1, 0);
    s.observe?.(1, 1);
    expect(at(s, [0, 1, 2])).toEqual([0, 0.5, 0.5]);
    expect(s.state?.()).toMatchObject({ changes: [[2, 0.5]] });
    const stateless = warmup(constant({ base: 1 }), { steps: 2 });
    expect([stateless.observe, stateless.state, stateless.restore]).toEqual([undefined, undefined, undefined]);
  });
});

describe('sequential', () => {
  it('restarts each later schedule at its own step 0 at its milestone', () => {
    const s = sequential([constant({ base: 2 }), exponential({ base: 1, gamma: 0.5 }), constant({ base: 7 })], [3, 6]);
    expect(at(s, range(8))).toEqual([2, 2, 2, 1, 0.5, 0.25, 7, 7]);
  });

  it('sends an observation to the schedule active at that step, with its local step', () => {
    const s = sequential([constant({ base: 1 }), reduceOnPlateau({ base: 1, factor: 0.5, patience: 0 })], [10]);
    s.observe?.(9, 5); // constant: ignored
    s.observe?.(1, 10); // plateau, local step 0: first best
    s.observe?.(2, 12); // local step 2: worse -> 0.5 from local 3 = global 13
    expect(at(s, [9, 10, 12, 13, 50])).toEqual([1, 1, 1, 0.5, 0.5]);
    expect(s.state?.()).toEqual([null, expect.objectContaining({ lastStep: 2 })]);
  });

  it('needs one milestone fewer than schedules', () => {
    expect(() => sequential([constant({ base: 1 }), constant({ base: 2 })], [])).toThrow(
      /sequential: milestones needs one entry fewer than schedules \(1\), got 0/,
    );
    expect(() => sequential([], [])).toThrow(ScheduleError);
  });
});

describe('chained', () => {
  it('multiplies the values; one schedule carries the base, the others are factors (base 1)', () => {
    const s = chained([exponential({ base: 0.1, gamma: 0.5 }), multiStep({ base: 1, milestones: [2], gamma: 0.1 })]);
    expect(at(s, range(4)).map((v) => +v.toPrecision(12))).toEqual([0.1, 0.05, 0.0025, 0.00125]);
  });

  it('chains reduce-on-plateau with cosine (hand-computed)', () => {
    const cos = (t: number): number => 0.05 * (1 + Math.cos((Math.PI * t) / 10)); // base 0.1, tMax 10
    const s = chained([cosine({ base: 0.1, tMax: 10 }), reduceOnPlateau({ base: 1, factor: 0.5, patience: 1 })]);
    // best 1 at step 0; bad at 1, 2 -> halve from 3; best 0.5 at 3; bad at 4, 5 -> halve from 6.
    [1, 1, 1, 0.5, 0.5, 0.5].forEach((m, step) => s.observe?.(m, step));
    const expected = [cos(0), cos(1), cos(2), cos(3) / 2, cos(4) / 2, cos(5) / 2, cos(6) / 4, cos(9) / 4];
    at(s, [0, 1, 2, 3, 4, 5, 6, 9]).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 15));
    expect(s.valueAt(5)).toBeCloseTo(0.025, 15);
    expect(s.valueAt(6)).toBeCloseTo(0.0125 * (1 - 0.30901699437494745), 15);

    const copy = chained([cosine({ base: 0.1, tMax: 10 }), reduceOnPlateau({ base: 1, factor: 0.5, patience: 1 })]);
    copy.restore?.(JSON.parse(JSON.stringify(s.state?.())) as JsonValue);
    expect(at(copy, range(12))).toEqual(at(s, range(12)));
  });

  it('restores all children or none', () => {
    const make = (): Schedule =>
      chained([reduceOnPlateau({ base: 1, patience: 0 }), reduceOnPlateau({ base: 1, patience: 0, factor: 0.5 })]);
    const s = make();
    s.observe?.(1, 0);
    s.observe?.(1, 1);
    const good = s.state?.() as JsonValue[];
    const fresh = make();
    const before = fresh.state?.();
    expect(() => fresh.restore?.([good[0] as JsonValue, { nope: true }])).toThrow(/restore\(state\)/);
    expect(fresh.state?.()).toEqual(before);
    expect(() => fresh.restore?.([good[0] as JsonValue])).toThrow(/one entry per child schedule \(2\), got 1 entries/);
  });
});
