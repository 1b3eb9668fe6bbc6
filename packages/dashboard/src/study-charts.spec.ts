import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalStorage, type FrozenTrial } from '@anneal/search';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyCharts } from './study-charts.js';
import { writeStudy } from './test-fixtures.js';
import { trialCurvesSpec } from './trial-curves-chart.js';

const dir = mkdtempSync(join(tmpdir(), 'dash-study-'));
let trials: FrozenTrial[] = [];
beforeAll(async () => {
  await writeStudy(dir, 's1', 6);
  const storage = new JournalStorage(join(dir, 'study.jsonl'));
  trials = await storage.getTrials('s1');
  await storage.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('study charts', () => {
  it('makes history, parallel coordinates, importance and per-trial curves from @anneal/search', () => {
    const charts = studyCharts(trials, 'maximize');
    expect(charts.map((c) => c.name)).toEqual(['history', 'parallel', 'importance', 'curves']);
    for (const c of charts) expect(c.error, c.name).toBeUndefined();
    expect(JSON.stringify(charts[2]!.spec)).toMatch(/optimizer\.lr.*model\.hidden|model\.hidden.*optimizer\.lr/);
  });

  it('marks each pruned trial where it stopped and dashes its line', () => {
    const spec = trialCurvesSpec(trials, 'maximize', 'val.accuracy') as { layer: { data: { values: { trial: number; step: number; state: string }[] } }[] };
    const pruned = trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBe(2);
    expect(spec.layer[1]!.data.values.map((v) => [v.trial, v.step])).toEqual(pruned.map((t) => [t.number, 2]));
    expect(spec.layer[0]!.data.values.filter((v) => v.state === 'pruned')).toHaveLength(4);
    expect(JSON.stringify(spec)).toContain("datum.state === 'pruned'");
  });

  it('says why instead of failing when no trial is complete yet', () => {
    const running = trials.slice(0, 1).map((t) => ({ ...t, state: 'running' as const, value: undefined }));
    const charts = studyCharts(running, 'maximize');
    expect(charts[0]!.error).toMatch(/complete trial/);
    expect(charts[3]!.error).toBeUndefined();
  });
});
