import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@anneal/onnx';
import { dominates, JournalStorage, storedObjectiveNames, storedReferencePoint, type Direction } from '@anneal/search';
import { runCli as run } from '../run-cli.js';

const base = `
base:
  data: { source: { kind: mnist, perDigit: 30 }, split: { test: 0.2, val: 0.2, seed: 0, stratify: true }, batchSize: 32 }
  model: { kind: mlp, hidden: [16] }
  optimizer: { type: adam, lr: 0.01 }
  train: { epochs: 2, threads: 1 }
`;

/** Elements of every initializer of an ONNX model (an MLP's are its weights and biases). */
const initializerElements = (path: string) => (loadModel(path).graph.initializer ?? []).reduce((n, t) => n + (t.dims ?? []).reduce((a, b) => a * Number(b), 1), 0);

describe('anneal tune with several objectives', () => {
  it('MNIST hidden width x lr, val.accuracy (max) vs params (min): a non-dominated front with real parameter counts, front runs and the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-mo-'));
    const config = join(dir, 'mo.yaml');
    writeFileSync(
      config,
      `name: mo\n${base}
space:
  model.hidden[0]: { type: int, low: 2, high: 128, log: true }
  optimizer.lr: { type: float, low: 1.0e-3, high: 0.05, log: true }
objectives:
  - { metric: val.accuracy, direction: maximize }
  - { metric: params, direction: minimize }
referencePoint: [0, 200000]
trials: 8
sampler: { type: tpe, seed: 2, startupTrials: 4 }
`,
    );
    const out = join(dir, 'study');
    const r = await run(['tune', config, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/trial 0: model\.hidden\[0\]=\d+ optimizer\.lr=[\d.e-]+ -> val\.accuracy [\d.]+, params \d+/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.trials.complete).toBe(8);
    expect(summary.objectives).toEqual([{ metric: 'val.accuracy', direction: 'maximize' }, { metric: 'params', direction: 'minimize' }]);
    expect(summary.best).toBeUndefined();
    const directions: Direction[] = ['maximize', 'minimize'];
    const storage = new JournalStorage(join(out, 'study.jsonl'));
    const trials = (await storage.getTrials('mo')).filter((t) => t.state === 'complete');
    // the objectives' names are stored with the study (what anneal dashboard shows while it runs)
    expect(storedObjectiveNames((await storage.getStudy('mo'))!)).toEqual(['val.accuracy', 'params']);
    expect(storedReferencePoint((await storage.getStudy('mo'))!)).toEqual([0, 200000]);
    await storage.close();
    expect(trials).toHaveLength(8);
    const front = summary.front as { number: number; values: number[]; params: Record<string, number>; test: { accuracy: number }; run: { dir: string; model: string; config: string } }[];
    expect(front.length).toBeGreaterThan(0);
    // the front is exactly the non-dominated trials
    const onFront = new Set(front.map((t) => t.number));
    for (const t of trials) {
      const dominated = trials.some((o) => dominates(o.values!, t.values!, directions));
      expect(onFront.has(t.number), `trial ${t.number} ${JSON.stringify(t.values)}`).toBe(!dominated);
    }
    for (const a of front) for (const b of front) expect(dominates(a.values, b.values, directions)).toBe(false);
    // the hypervolume against the config's reference point, as a staircase of rectangles over the front (minimizing -accuracy and params)
    const stairs = front.map((t) => [-t.values[0]!, t.values[1]!] as const).sort((a, b) => a[0] - b[0]);
    const area = stairs.reduce((sum, [x, y], i) => sum + ((stairs[i + 1]?.[0] ?? 0) - x) * (200000 - y), 0);
    expect(summary.hypervolume.source).toBe('config');
    expect(summary.hypervolume.reference).toEqual([0, 200000]);
    expect(summary.hypervolume.value).toBeCloseTo(area, 6);
    // params is the real parameter count of each trial's model: 784*h + h + h*10 + 10, and the initializers of its model.onnx
    for (const t of trials) {
      const h = t.params['model.hidden[0]'] as number;
      expect(t.values![1]).toBe(784 * h + h + h * 10 + 10);
      expect(initializerElements(join(out, 'trials', String(t.number), 'model.onnx'))).toBe(t.values![1]);
      expect(t.values![0]).toBeGreaterThanOrEqual(0);
      expect(t.values![0]).toBeLessThanOrEqual(1);
    }
    // each front trial's run, re-runnable with anneal fit
    for (const t of front) {
      const folder = join(out, 'front', `trial-${t.number}`);
      expect(t.run.dir).toBe(folder);
      const cfg = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
      expect(cfg.name).toBe(`mo-front-${t.number}`);
      expect(cfg.model.hidden).toEqual([t.params['model.hidden[0]']]);
      expect(initializerElements(join(folder, 'model.onnx'))).toBe(t.values[1]);
      expect(t.test.accuracy).toBeGreaterThan(0);
    }
    // the report shows the front (chart and table); the CLI prints it
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/Pareto front[\s\S]*Study[\s\S]*Trials/);
    // (markdown escapes the brackets)
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(`Hypervolume ${Number(summary.hypervolume.value.toPrecision(6))} against the reference point \\[0, 200000\\] (the config's referencePoint)`);
    const frontTable = html.slice(html.indexOf('Pareto front'), html.indexOf('id="study"') > 0 ? html.indexOf('id="study"') : undefined);
    for (const t of front) expect(frontTable).toContain(String(t.values[1])); // the front table lists each front trial's parameter count
    expect(existsSync(join(out, 'charts', 'pareto-front.svg'))).toBe(true);
    expect(existsSync(join(out, 'charts', 'pareto-front.png'))).toBe(true);
    expect(r.out).toMatch(new RegExp(`Pareto front: ${front.length} trials? \\(val\\.accuracy maximize, params minimize\\)`));
    for (const t of front) expect(r.out).toMatch(new RegExp(`trial ${t.number}: val\\.accuracy [\\d.]+, params ${t.values[1]}`));
    console.log(`Pareto front of ${trials.length} trials (val.accuracy, params): ${front.map((t) => `#${t.number} h=${t.params['model.hidden[0]']} lr=${t.params['optimizer.lr']!.toPrecision(3)} -> ${t.values[0].toFixed(4)}, ${t.values[1]}`).join('; ')}`);
  }, 240_000);

  it('measures step-ms and model-bytes; NSGA-II samples them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-mo-measures-'));
    const config = join(dir, 'measures.yaml');
    writeFileSync(config, `name: measures\n${base.replace('epochs: 2', 'epochs: 1')}\nspace:\n  model.hidden[0]: { type: categorical, choices: [4, 64] }\nobjectives:\n  - { metric: step-ms, direction: minimize }\n  - { metric: model-bytes, direction: minimize }\ntrials: 2\nsampler: { type: nsga-ii, seed: 1, populationSize: 2 }\n`);
    const out = join(dir, 'study');
    const r = await run(['tune', config, '--out', out]);
    expect(r.code, r.err).toBe(0);
    const storage = new JournalStorage(join(out, 'study.jsonl'));
    const trials = (await storage.getTrials('measures')).filter((t) => t.state === 'complete');
    await storage.close();
    expect(trials).toHaveLength(2);
    for (const t of trials) {
      expect(t.values![0]).toBeGreaterThan(0); // ms per step
      expect(t.values![0]).toBeLessThan(1000);
      expect(t.values![1]).toBe(statSync(join(out, 'trials', String(t.number), 'model.onnx')).size);
      expect(t.userAttrs.objectives).toEqual({ 'step-ms': t.values![0], 'model-bytes': t.values![1] });
    }
  }, 120_000);

  it('refuses metric with objectives, a pruner or a single-objective sampler with several objectives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-mo-bad-'));
    const objectives = `objectives:\n  - { metric: val.accuracy, direction: maximize }\n  - { metric: params, direction: minimize }\n`;
    const space = `space:\n  optimizer.lr: { type: float, low: 0.001, high: 0.01 }\n`;
    const cases: [string, RegExp][] = [
      [`metric: val.loss\n${objectives}`, /metric: give either metric\/direction \(one objective\) or objectives/],
      [`${objectives}pruner: { type: median }\n`, /pruner: a study with 2 objectives cannot prune .*pruner: \{ type: none \}/],
      [`${objectives}sampler: { type: cma-es }\n`, /sampler\.type: sampler 'cma-es' optimizes one objective/],
      [`objectives:\n  - { metric: params, direction: minimize }\npruner: { type: asha }\n`, /pruner: the objective 'params' is measured after training/],
      [`${objectives}referencePoint: [0]\n`, /referencePoint: 1 value\(s\) for 2 objective\(s\): give one value per objective \(val\.accuracy, params\)/],
      [`objectives:\n  - { metric: accuracy, direction: maximize }\n  - { metric: params, direction: minimize }\n`, /objectives\[0\]\.metric: an epoch metric such as val\.accuracy/],
    ];
    for (const [i, [extra, message]] of cases.entries()) {
      const config = join(dir, `bad-${i}.yaml`);
      writeFileSync(config, `name: bad${i}\n${base}${space}${extra}`);
      const r = await run(['tune', config, '--out', join(dir, `out-${i}`)]);
      expect(r.code, `case ${i}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(message);
      expect(existsSync(join(dir, `out-${i}`))).toBe(false);
    }
  });
});
