import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecipeState } from '@anneal/diagnostics';
import { findChromium, renderReport } from '@anneal/testing';
import { createPipeline } from '@anneal/pipeline';
import { runCli as run } from '../run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-recipe-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fitBase = `name: mnist-small
seed: 0
data:
  source: { kind: mnist, perDigit: 100 }
  split: { test: 0.2, val: 0.2, seed: 0, stratify: true }
  batchSize: 32
model: { kind: mlp, hidden: [64] }
optimizer: { type: adam, lr: 0.003 }
train: { epochs: 5, threads: 1 }
`;

function recipeFile(name: string, extra = ''): string {
  writeFileSync(join(root, 'base.yaml'), fitBase);
  const file = join(root, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
base: base.yaml
parallel: 2
steps:
  lrProbe: { iterations: 40 }
  rangeTest: { steps: 60 }
  grid: { epochs: 2, weightDecays: [0.0001, 0] }
  refine: { top: 2, epochs: 5, normsEvery: 5 }
  repeat: { rounds: 1 }
${extra}`,
  );
  return file;
}

describe('anneal recipe', () => {
  const dir = join(root, 'out');

  it('stops after --until grid, then --resume finishes the recipe; report, state and run folders on disk', async () => {
    let r = await run(['recipe', recipeFile('small'), '--out', dir, '--until', 'grid', '--no-progress']);
    expect(r.code, r.err).toBe(0);
    let state = JSON.parse(readFileSync(join(dir, 'recipe.json'), 'utf8')) as RecipeState;
    expect(state.done).toEqual(['initial-loss', 'overfit', 'lr-probe', 'range-test', 'grid']);
    expect(r.err).toMatch(/recipe: initial-loss: initial loss \d\.\d+ matches the expected 2\.3026/);
    expect(r.err).toMatch(/recipe: grid: \d+ cells/);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/Not run yet/);

    r = await run(['recipe', '--resume', dir, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/recipe: grid: done in an earlier session/);
    state = JSON.parse(readFileSync(join(dir, 'recipe.json'), 'utf8')) as RecipeState;
    expect(state.done).toEqual(['initial-loss', 'overfit', 'lr-probe', 'range-test', 'grid', 'refine', 'repeat']);
    expect(state.refine).toHaveLength(2);
    expect(r.out).toMatch(/best run: (refine|repeat)-\d .*val\.accuracy 0\.\d+, test accuracy \d+\.\d+%/);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { best: { testAccuracy: number } };
    expect(summary.best.testAccuracy).toBeGreaterThan(0.8);

    // every full run is a run folder the doctor reads, and it agrees with the recipe's reading
    const refine1 = join(dir, 'runs', 'refine-1');
    for (const f of ['config.json', 'metrics.jsonl', 'summary.json']) expect(existsSync(join(refine1, f)), f).toBe(true);
    const doctor = await (await createPipeline()).doctor(refine1, { report: false });
    expect(doctor.findings.map((f) => f.id)).toEqual(state.refine![0]!.findings.map((f) => f.id));
    expect(JSON.parse(readFileSync(join(refine1, 'config.json'), 'utf8')).schedules).toEqual([]);

    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    for (const chart of ['overfit', 'lr-probe', 'range-test', 'grid', 'refine-1-loss', 'refine-1-batch-loss', 'refine-1-accuracy', 'refine-1-lr', 'refine-1-ratios']) {
      expect(md).toContain(`charts/${chart}.png`);
      expect(existsSync(join(dir, 'charts', `${chart}.svg`)), chart).toBe(true);
    }
  }, 180_000);

  it.skipIf(!findChromium())('its report.html renders every chart in headless chromium, offline, without errors', async () => {
    const page = await renderReport(join(dir, 'report.html'));
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([page.url]);
    expect(page.figures.length).toBeGreaterThanOrEqual(14);
    for (const f of page.figures) {
      expect(f.width, `${f.name}`).toBeGreaterThan(50);
      expect(f.height, `${f.name}`).toBeGreaterThan(50);
      expect(f.paths, `${f.name}`).toBeGreaterThan(0);
    }
    expect(page.scripts).toBe(0);
    expect(page.brokenLinks).toBe(0);
  }, 60_000);

  it('refuses a base without a validation split, a taken folder and an unknown step, naming the fix', async () => {
    writeFileSync(join(root, 'noval.yaml'), fitBase.replace('val: 0.2, ', 'val: 0, '));
    writeFileSync(join(root, 'r-noval.yaml'), 'name: r\nbase: noval.yaml\n');
    let r = await run(['recipe', join(root, 'r-noval.yaml'), '--out', join(root, 'noval-out')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/data\.split\.val is 0; the recipe compares runs on validation data.*set data\.split\.val/);
    r = await run(['recipe', recipeFile('small'), '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/already holds a recipe; continue it with `anneal recipe --resume/);
    r = await run(['recipe', recipeFile('small'), '--until', 'polish']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--until polish: not a recipe step; use one of initial-loss, overfit/);
    r = await run(['recipe', join(root, 'missing.yaml')]);
    expect(r.err).toMatch(/cannot read the config/);
    writeFileSync(join(root, 'r-bad.yaml'), 'name: r\nbase: base.yaml\nsteps: { grid: { epochs: 0 } }\n');
    r = await run(['recipe', join(root, 'r-bad.yaml')]);
    expect(r.err).toMatch(/steps\.grid\.epochs/);
  });
});
