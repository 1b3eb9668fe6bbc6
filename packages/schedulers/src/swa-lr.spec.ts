import { describe, expect, it } from 'vitest';
import { constant } from './constant.js';
import { cosine } from './cosine.js';
import { reduceOnPlateau } from './reduce-on-plateau.js';
import { swaLr } from './swa-lr.js';

describe('swaLr (torch SWALR)', () => {
  const inner = cosine({ base: 0.1, tMax: 100 });
  it('follows the inner schedule before start, anneals with a cosine from its value at start, then holds swaLr', () => {
    const s = swaLr(inner, { start: 60, annealSteps: 10, swaLr: 0.01 });
    for (const step of [0, 30, 59]) expect(s.valueAt(step)).toBe(inner.valueAt(step));
    const from = inner.valueAt(60);
    for (let t = 0; t < 10; t++) {
      const alpha = (1 - Math.cos((Math.PI * t) / 10)) / 2;
      expect(s.valueAt(60 + t)).toBeCloseTo((1 - alpha) * from + alpha * 0.01, 12);
    }
    for (const step of [70, 85, 1000]) expect(s.valueAt(step)).toBe(0.01);
  });

  it('linear anneal, and annealSteps 0 jumps at start', () => {
    const lin = swaLr(constant({ base: 0.2 }), { start: 5, annealSteps: 4, swaLr: 0.04, strategy: 'linear' });
    expect([5, 6, 7, 8, 9].map((s) => lin.valueAt(s))).toEqual([0.2, 0.16, 0.12, 0.08, 0.04].map((v) => expect.closeTo(v, 12)));
    const jump = swaLr(constant({ base: 0.2 }), { start: 5, annealSteps: 0, swaLr: 0.04 });
    expect([4, 5].map((s) => jump.valueAt(s))).toEqual([0.2, 0.04]);
  });

  it('passes observe/state/restore through to a stateful inner schedule, and checks its options', () => {
    const plateau = reduceOnPlateau({ base: 0.1, patience: 0, factor: 0.5 });
    const s = swaLr(plateau, { start: 100, annealSteps: 0, swaLr: 0.01 });
    s.observe!(1, 0);
    s.observe!(2, 1);
    expect(s.valueAt(2)).toBeCloseTo(0.05, 12);
    expect(s.state!()).toEqual(plateau.state!());
    expect(() => swaLr(inner, { start: -1, annealSteps: 0, swaLr: 0.01 })).toThrow(/start must be a step >= 0/);
    expect(() => swaLr(inner, { start: 1, annealSteps: 0, swaLr: 0 })).toThrow(/swaLr must be a positive number/);
  });
});
