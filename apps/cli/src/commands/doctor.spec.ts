// The doctor on REAL runs made to show each condition: MNIST MLPs trained by `anneal fit` with a
// learning rate 10x too low, far too high, a decay that comes too early, a tiny training set, an
// exploding SGD step; and a healthy run that must get no warning.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '@anneal/diagnostics';
import { runCli as run } from '../run-cli.js';
import { createPipeline } from '@anneal/pipeline';

const root = mkdtempSync(join(tmpdir(), 'anneal-doctor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function mnistRun(name: string, o: { optimizer: string; lr: number; perDigit?: number; epochs?: number; extra?: string }): string {
  const file = join(root, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
seed: 0
data:
  source: { kind: mnist, perDigit: ${o.perDigit ?? 300} }
  split: { test: 0.2, val: 0.2, seed: 0, stratify: true }
  batchSize: 64
model: { kind: mlp, hidden: [128] }
optimizer: { type: ${o.optimizer}, lr: ${o.lr} }
train: { epochs: ${o.epochs ?? 10}, normsEvery: 10, threads: 1 }
${o.extra ?? ''}
`,
  );
  return file;
}

const runs: Record<string, { dir: string; findings: Finding[] }> = {};
const ids = (name: string) => runs[name]!.findings.map((f) => f.id);
const warnings = (name: string) => runs[name]!.findings.filter((f) => f.severity !== 'info').map((f) => f.id);

beforeAll(async () => {
  const specs: Record<string, Parameters<typeof mnistRun>[1]> = {
    good: { optimizer: 'adam', lr: 3e-3 },
    'lr-10x-low': { optimizer: 'adam', lr: 3e-4 },
    'lr-10x-high': { optimizer: 'adam', lr: 3e-2 },
    'lr-30x-high': { optimizer: 'adam', lr: 1e-1, perDigit: 600 },
    'sgd-10x-low': { optimizer: 'sgd', lr: 0.01 },
    'early-decay': { optimizer: 'sgd', lr: 0.1, extra: 'schedules: [{ target: lr, interval: epoch, schedule: { type: multi-step, base: 0.1, milestones: [2], gamma: 0.02 } }]' },
    tiny: { optimizer: 'adam', lr: 3e-3, perDigit: 10, epochs: 60 },
    explode: { optimizer: 'sgd', lr: 8 },
  };
  for (const [name, spec] of Object.entries(specs)) {
    const dir = join(root, 'runs', name);
    const r = await run(['fit', mnistRun(name, spec), '--out', dir, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    runs[name] = { dir, findings: (await (await createPipeline()).doctor(dir, { report: false })).findings };
  }
}, 120_000);

describe('anneal doctor on real MNIST runs', () => {
  it('a healthy run (Adam 3e-3) gets no warning', () => {
    expect(warnings('good')).toEqual([]);
  });

  it('lr 10x too low (Adam 3e-4, SGD 0.01): the loss falls too slowly', () => {
    expect(ids('lr-10x-low')).toContain('lr-too-low');
    expect(ids('sgd-10x-low')).toContain('lr-too-low');
    const f = runs['lr-10x-low']!.findings.find((x) => x.id === 'lr-too-low')!;
    expect(f.action?.lrFactor).toBeGreaterThan(1);
    expect(f.evidence.join(' ')).toMatch(/\d/);
  });

  it('lr 10x too high (Adam 3e-2): update/weight ratios far above 1e-3, validation getting worse', () => {
    expect(ids('lr-10x-high')).toContain('update-ratio');
    const ratio = runs['lr-10x-high']!.findings.find((x) => x.id === 'update-ratio')!;
    expect(ratio.tensors!.some((t) => t.side === 'too-high' && t.ratio > 1e-2)).toBe(true);
    expect(ids('lr-10x-high')).toContain('overfitting');
  });

  it('lr 30x too high (Adam 1e-1): fast progress, then a plateau', () => {
    expect(ids('lr-30x-high')).toContain('lr-too-high');
    expect(ids('lr-30x-high')).not.toContain('lr-too-low');
  });

  it('a step decay after epoch 2 while the loss still fell: decayed too early, with the decay located', () => {
    expect(ids('early-decay')).toContain('decayed-too-early');
    const f = runs['early-decay']!.findings.find((x) => x.id === 'decayed-too-early')!;
    expect(f.evidence.join(' ')).toMatch(/step 58 \(epoch 3\)/);
    expect(ids('early-decay')).not.toContain('underfitting');
  });

  it('60 training digits for 60 epochs: overfitting', () => {
    expect(ids('tiny')).toContain('overfitting');
    expect(ids('tiny')).not.toContain('lr-too-low');
  });

  it('SGD at lr 8 explodes in its first steps and ends at chance: diverged, not underfitting', () => {
    expect(ids('explode')[0]).toBe('diverged');
    expect(runs.explode!.findings[0]!.severity).toBe('error');
    expect(ids('explode')).not.toContain('underfitting');
    expect(ids('explode')).not.toContain('update-ratio');
  });
});

describe('anneal doctor, the command', () => {
  it('prints the findings and writes report.html / report.md with the charts', async () => {
    const r = await run(['doctor', runs['early-decay']!.dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/10 epochs, 290 steps/);
    expect(r.out).toMatch(/\[WARNING\] Learning rate decayed too early/);
    const html = readFileSync(join(runs['early-decay']!.dir, 'doctor', 'report.html'), 'utf8');
    expect(html).toMatch(/decayed too early/);
    for (const chart of ['loss', 'batch-loss', 'accuracy', 'lr', 'ratios']) {
      expect(existsSync(join(runs['early-decay']!.dir, 'doctor', 'charts', `${chart}.png`)), chart).toBe(true);
      expect(html).toContain(`data-chart="${chart}"`);
    }
    expect(readFileSync(join(runs['early-decay']!.dir, 'doctor', 'report.md'), 'utf8')).toMatch(/!\[.*\]\(charts\/loss\.png\)/);
  });

  it('--json prints the findings as data', async () => {
    const r = await run(['doctor', runs.tiny!.dir, '--json', '--no-report']);
    const parsed = JSON.parse(r.out) as { findings: Finding[]; finished: boolean; epochs: number };
    expect(parsed.finished).toBe(true);
    expect(parsed.epochs).toBe(60);
    expect(parsed.findings.map((f) => f.id)).toContain('overfitting');
  });

  it('reads a run that is still going (no summary.json yet): no "train longer" verdict before the end', async () => {
    const dir = join(root, 'running');
    const lines = readFileSync(join(runs.good!.dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    const cut = lines.findIndex((l) => l.includes('"kind":"epoch"') && l.includes('"epoch":5,'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'metrics.jsonl'), lines.slice(0, cut + 1).join('\n') + '\n');
    writeFileSync(join(dir, 'config.json'), readFileSync(join(runs.good!.dir, 'config.json')));
    const s = await (await createPipeline()).doctor(dir, { report: false });
    expect(s.finished).toBe(false);
    expect(s.epochs).toBe(5);
    expect(s.findings.map((f) => f.id)).not.toContain('train-longer');
  });

  it('names the folder and the fix for a folder without metrics, and the line of a damaged metrics file', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    let r = await run(['doctor', empty]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no metrics\.jsonl; give a run folder written by `anneal fit`/);
    writeFileSync(join(empty, 'metrics.jsonl'), '{"kind":"batch","epoch":1,"batch":0,"step":0,"loss":2.3,"lr":0.1}\n{oops\n');
    r = await run(['doctor', empty]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/metrics\.jsonl:2: not a JSON line/);
  });
});
