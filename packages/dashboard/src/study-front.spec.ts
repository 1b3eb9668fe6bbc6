// The Pareto front of a multi-objective study as the dashboard reads it: journals written by real
// @anneal/search studies (a grid over a cheap function whose front is known: the trials with y = 0),
// read through DashboardData as /api/study and /api/list answer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardData, type ParetoView } from './dashboard-data.js';
import { writeParetoStudy, writeStudy } from './test-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'dash-front-'));
const data = new DashboardData(root, 0);
const FRONT = [0, 3, 6, 9, 12];

beforeAll(async () => {
  await writeParetoStudy(join(root, 'named'), 'size-vs-quality', { names: ['size', 'quality'], reference: [2, -1] });
  await writeParetoStudy(join(root, 'plain'), 'plain');
  await writeParetoStudy(join(root, 'three'), 'three', { third: true });
  writeFileSync(join(root, 'three', 'summary.json'), JSON.stringify({ objectives: [{ metric: 'a' }, { metric: 'b' }, { metric: 'c' }] }));
  await writeStudy(join(root, 'single'), 'single', 6);
});
afterAll(async () => {
  await data.close();
  rmSync(root, { recursive: true, force: true });
});

const part = async (path: string) => (await data.study(path)).studies[0]!;

describe('a multi-objective study on the dashboard', () => {
  it('finds the known front, with the stored names and the hypervolume against the stored reference point', async () => {
    const s = await part('named');
    const p = s.pareto!;
    expect(p.objectives).toEqual([{ name: 'size', direction: 'minimize' }, { name: 'quality', direction: 'maximize' }]);
    expect(p.complete).toBe(15);
    // best first by the first objective (size, minimized)
    expect(p.front.map((t) => t.number)).toEqual(FRONT);
    expect(p.front.map((t) => [t.params.y, t.values])).toEqual([0, 0.25, 0.5, 0.75, 1].map((x) => [0, [x, x]]));
    // minimized points (x, -x) against (2, 1): 2*1 + 1.75*0.25 + 1.5*0.25 + 1.25*0.25 + 1*0.25
    expect(p.hypervolume).toEqual({ value: 3.375, reference: [2, -1], source: 'study' });
    expect(s.direction).toBe('minimize, maximize');
    expect(s.trials[1]).toMatchObject({ number: 1, state: 'complete', values: [0, -0.5] });
    expect(s.best).toBeUndefined();
    expect(s.charts.map((c) => [c.name, c.error])).toEqual([['pareto', undefined]]);
    const layers = (s.charts[0]!.spec as { layer: { data: { values: { trial: number; kind: string }[] } }[] }).layer;
    expect(layers[1]!.data.values.filter((r) => r.kind === 'Pareto front').map((r) => r.trial)).toEqual(FRONT);
    expect(JSON.stringify(s.charts[0]!.spec)).toMatch(/size \(minimize\).*quality \(maximize\)/);
    const listed = (await data.list()).studies.find((x) => x.path === 'named')!;
    expect(listed).toMatchObject({ direction: 'minimize, maximize', front: 5 });
    expect(listed.best).toBeUndefined();
  });

  it('says so when it falls back: numbered objectives and the default reference point', async () => {
    const p = (await part('plain')).pareto!;
    expect(p.objectives.map((o) => o.name)).toEqual(['objective 1', 'objective 2']);
    expect(p.front.map((t) => t.number)).toEqual(FRONT);
    // size worst 1, range 1 -> 1.1; quality worst -1, range 2 -> -1.2
    expect(p.hypervolume!.source).toBe('default');
    expect(p.hypervolume!.reference.map((v) => Number(v.toFixed(12)))).toEqual([1.1, -1.2]);
    expect(p.hypervolume!.value).toBeCloseTo(1.32 + 0.85 * 0.25 + 0.6 * 0.25 + 0.35 * 0.25 + 0.1 * 0.25, 12);
  });

  it('draws one panel per pair for three objectives, naming them from the finished tune summary', async () => {
    const s = await part('three');
    expect(s.pareto!.objectives.map((o) => `${o.name} ${o.direction}`)).toEqual(['a minimize', 'b maximize', 'c minimize']);
    expect(s.pareto!.front.map((t) => t.number)).toEqual(FRONT);
    expect((s.charts[0]!.spec as { concat: unknown[] }).concat).toHaveLength(3);
    expect(s.charts[0]!.caption).toMatch(/one panel per pair of the 3 objectives \(3 panels\)/i);
  });

  it('follows the journal as trials finish', async () => {
    const dir = join(root, 'growing');
    await writeParetoStudy(dir, 'growing', { trials: 4 });
    const before: ParetoView = (await part('growing')).pareto!;
    expect([before.complete, before.front.map((t) => t.number)]).toEqual([4, [0, 3]]);
    await writeParetoStudy(dir, 'growing', { trials: 11 });
    const after = (await part('growing')).pareto!;
    expect([after.complete, after.front.map((t) => t.number)]).toEqual([15, FRONT]);
  });

  it('leaves a single-objective study as it was: no pareto part, its four charts and its best trial', async () => {
    const s = await part('single');
    expect(Object.keys(s).sort()).toEqual(['best', 'charts', 'direction', 'name', 'trials']);
    expect(s.charts.map((c) => c.name)).toEqual(['history', 'parallel', 'importance', 'curves']);
    expect(s.trials.every((t) => !('values' in t))).toBe(true);
    expect(Object.keys((await data.list()).studies.find((x) => x.path === 'single')!)).not.toContain('front');
  });
});
