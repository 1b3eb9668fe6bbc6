import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vegaLiteSvg } from '@anneal/report';
import { afterEach, describe, expect, it } from 'vitest';
import type { FrozenTrial } from '../types.js';
import { parallelCoordinatesSpec } from './parallel-coordinates.js';
import { StudyResultsError } from './results-error.js';
import { importanceSpec, optimizationHistorySpec, sliceSpec, writeStudyCharts } from './study-charts.js';
import { makeTrial, syntheticStudy, X } from './synthetic-trials.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The elements (`path` or `line`) inside every `<g class="mark-<kind> role-mark ...">` group, one list per group. */
function marks(svg: string, kind: 'line' | 'symbol' | 'rule' | 'rect', element: 'path' | 'line' = 'path'): string[][] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g'))];
  return groups.map((g) => [...g[1]!.matchAll(new RegExp(`<${element}[^>]*>`, 'g'))].map((m) => m[0]));
}
const vertices = (path: string) => (/ d="([^"]*)"/.exec(path)?.[1]!.match(/[ML]/g) ?? []).length;

// 24 trials: 5, 12, 19 pruned (with a value); 9, 20 failed; momentum only for sgd (every third trial).
const study = syntheticStudy(24);
const complete = study.filter((t) => t.state === 'complete');
const hasMomentum = (t: FrozenTrial) => 'momentum' in t.params;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('optimizationHistorySpec', () => {
  it('draws complete and pruned trials as points, failed ones as rules, and the best so far as a step line', async () => {
    expect(study.filter((t) => t.state === 'pruned').map((t) => t.number)).toEqual([5, 12, 19]);
    expect(study.filter((t) => t.state === 'fail').map((t) => t.number)).toEqual([9, 20]);
    const svg = await vegaLiteSvg(optimizationHistorySpec(study, 'minimize'), 'history');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const t of ['optimization history (minimize)', 'trial', 'objective value', 'complete', 'pruned', 'failed', 'best so far']) expect(svg).toContain(`>${t}</text>`);
    expect(marks(svg, 'symbol').flat()).toHaveLength(complete.length + 3);
    expect(marks(svg, 'rule', 'line').flat()).toHaveLength(2);
    // The best-so-far line: a step-after line has 2 vertices per change; it only goes down (SVG y grows downwards).
    const [line] = marks(svg, 'line').flat();
    const ys = [...(/ d="([^"]*)"/.exec(line!)![1]!.matchAll(/[ML][\d.-]+,([\d.-]+)/g))].map((m) => Number(m[1]));
    for (let i = 1; i < ys.length; i++) expect(ys[i]).toBeGreaterThanOrEqual(ys[i - 1]!);
  });

  it('follows the running best for the direction, to the last trial', () => {
    const trials = [makeTrial(0, { x: [X, 0.1] }, 2), makeTrial(1, { x: [X, 0.2] }, 1), makeTrial(2, { x: [X, 0.3] }, 3), makeTrial(3, { x: [X, 0.4] }, undefined, 'fail')];
    const bestLayer = (dir: 'minimize' | 'maximize') => {
      const spec = optimizationHistorySpec(trials, dir) as { layer: { mark: { type: string }; data: { values: { trial: number; value: number }[] } }[] };
      return spec.layer.find((l) => l.mark.type === 'line')!.data.values.map((p) => [p.trial, p.value]);
    };
    expect(bestLayer('minimize')).toEqual([[0, 2], [1, 1], [2, 1], [3, 1]]);
    expect(bestLayer('maximize')).toEqual([[0, 2], [1, 2], [2, 3], [3, 3]]);
  });
});

describe('parallelCoordinatesSpec', () => {
  it('draws one polyline per complete trial over the parameter axes and the objective', async () => {
    const svg = await vegaLiteSvg(parallelCoordinatesSpec(study, 'minimize'), 'parallel');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const t of ['parallel coordinates', 'lr', 'layers', 'optimizer', 'momentum', 'objective', 'adam', 'sgd', 'rmsprop', '1e-5', '0.1 (log)', '0.001']) {
      expect(svg).toContain(`>${t}</text>`);
    }
    const lines = marks(svg, 'line').flat();
    expect(lines).toHaveLength(complete.length);
    // A conditional parameter is skipped by the lines of trials without it.
    expect(lines.map(vertices).sort()).toEqual(complete.map((t) => (hasMomentum(t) ? 5 : 4)).sort());
    expect(marks(svg, 'rule', 'line').flat()).toHaveLength(5);
  });

  it('writes long parameter names in full, each axis as wide as its name', async () => {
    const rename = <V>(o: Readonly<Record<string, V>>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`optimizer.${k}.withAVeryLongName`, v]));
    const long = study.map((t) => ({ ...t, params: rename(t.params), distributions: rename(t.distributions) }));
    const svg = await vegaLiteSvg(parallelCoordinatesSpec(long, 'minimize'), 'parallel');
    for (const name of ['lr', 'layers', 'optimizer', 'momentum']) expect(svg).toContain(`>optimizer.${name}.withAVeryLongName</text>`);
    expect(svg).not.toContain('…');
  });

  it('places log parameters on a log axis and categorical choices evenly', () => {
    const spec = parallelCoordinatesSpec(study, 'maximize') as { layer: { data: { values: { axis: string; pos: number; trial?: number }[] } }[] };
    const points = spec.layer[1]!.data.values;
    const at = (trial: number, axis: string) => points.find((p) => p.trial === trial && p.axis === axis)!.pos;
    for (const t of complete) {
      expect(at(t.number, 'lr')).toBeCloseTo((Math.log10(t.params['lr'] as number) + 5) / 4, 12);
      expect(at(t.number, 'optimizer')).toBe(['adam', 'sgd', 'rmsprop'].indexOf(t.params['optimizer'] as string) / 2);
    }
    const values = complete.map((t) => t.value!);
    const best = complete.find((t) => t.value === Math.max(...values))!;
    expect(at(best.number, 'objective')).toBe(1);
    // Best drawn last (on top).
    expect(points.at(-1)!.trial).toBe(best.number);
  });
});

describe('sliceSpec', () => {
  it('draws one panel per parameter with a point per complete trial that has it', async () => {
    const svg = await vegaLiteSvg(sliceSpec(study, 'minimize'), 'slice');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const t of ['slice plot', 'lr (log)', 'layers', 'optimizer', 'momentum', 'objective (minimize)', 'trial', 'adam']) expect(svg).toContain(`>${t}</text>`);
    const panels = marks(svg, 'symbol').map((g) => g.length);
    expect(panels).toEqual([complete.length, complete.length, complete.length, complete.filter(hasMomentum).length]);
    // Decade ticks on the log axis.
    for (const t of ['0.0001', '0.001', '0.01', '0.1']) expect(svg).toContain(`>${t}</text>`);
  });
});

describe('importanceSpec', () => {
  it('draws a bar per parameter, most important on top, labelled in percent', async () => {
    const svg = await vegaLiteSvg(importanceSpec([{ param: 'wd', importance: 0.125 }, { param: 'lr', importance: 0.875 }]), 'importance');
    for (const t of ['parameter importance', 'lr', 'wd', '87.5%', '12.5%']) expect(svg).toContain(`>${t}</text>`);
    const bars = marks(svg, 'rect').flat();
    expect(bars).toHaveLength(2);
    // lr's bar (first) is 7 times as long as wd's and sits above it.
    // Each bar is a path `M0,<top>h<length>v<thickness>...`.
    const bar = (p: string) => /d="M0,([\d.]+)h([\d.]+)v/.exec(p)!.slice(1).map(Number) as [number, number];
    expect(bar(bars[0]!)[1] / bar(bars[1]!)[1]).toBeCloseTo(7, 6);
    expect(bar(bars[0]!)[0]).toBeLessThan(bar(bars[1]!)[0]);
  });

  it('refuses an empty list and a negative importance', () => {
    expect(() => importanceSpec([])).toThrow(/no parameter importances to draw/);
    expect(() => importanceSpec([{ param: 'lr', importance: -0.1 }])).toThrow(/importance of 'lr' must be a finite number >= 0, got -0.1/);
  });
});

describe('charts of a study without what they need', () => {
  it('names what is missing: a complete trial, or parameters', () => {
    const failed = [makeTrial(0, { x: [X, 0.5] }, undefined, 'fail'), makeTrial(1, { x: [X, 0.5] }, 2, 'pruned')];
    for (const spec of [optimizationHistorySpec, parallelCoordinatesSpec, sliceSpec]) {
      expect(() => spec([], 'minimize')).toThrow(StudyResultsError);
      expect(() => spec([], 'minimize')).toThrow(/needs at least 1 complete trial with a finite value, got 0 trials/);
      expect(() => spec(failed, 'minimize')).toThrow(/got 2 trials \(1 fail, 1 pruned\)/);
    }
    const noParams = [makeTrial(0, {}, 1)];
    expect(() => parallelCoordinatesSpec(noParams, 'minimize')).toThrow(/have no parameters/);
    expect(() => sliceSpec(noParams, 'minimize')).toThrow(/have no parameters/);
    expect(optimizationHistorySpec(noParams, 'minimize')).toBeDefined();
  });
});

describe('writeStudyCharts', () => {
  it('writes the four charts as SVG + PNG pairs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anneal-study-charts-'));
    dirs.push(dir);
    const paths = await writeStudyCharts(join(dir, 'charts'), study, 'minimize');
    const names = ['optimization-history', 'parallel-coordinates', 'slice', 'importance'];
    expect(paths).toEqual(names.flatMap((n) => [join(dir, 'charts', `${n}.svg`), join(dir, 'charts', `${n}.png`)]));
    for (const p of paths) {
      const bytes = readFileSync(p);
      if (p.endsWith('.svg')) expect(bytes.toString('utf8').startsWith('<svg')).toBe(true);
      else expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    }
    expect(readFileSync(join(dir, 'charts', 'importance.svg'), 'utf8')).toContain('>lr</text>');
  });

  it('skips importance with one complete trial, and writes nothing without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anneal-study-charts-'));
    dirs.push(dir);
    const one = [makeTrial(0, { x: [X, 0.5] }, 1), makeTrial(1, { x: [X, 0.2] }, undefined, 'fail')];
    const paths = await writeStudyCharts(dir, one, 'maximize');
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(['optimization-history.svg', 'optimization-history.png', 'parallel-coordinates.svg', 'parallel-coordinates.png', 'slice.svg', 'slice.png']);
    const empty = join(dir, 'empty');
    await expect(writeStudyCharts(empty, [], 'minimize')).rejects.toThrow(/study charts: needs at least 1 complete trial/);
    expect(existsSync(empty)).toBe(false);
    expect(readdirSync(dir)).toHaveLength(6);
  });
});
