import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist } from '@anneal/data';
import { DataType } from '@anneal/onnx';
import { createSession } from '@anneal/runtime';
import { runCli as run } from '../run-cli.js';
import { createPipeline } from '@anneal/pipeline';
import type { EnsembleSummary } from '@anneal/pipeline';

const root = mkdtempSync(join(tmpdir(), 'anneal-ensemble-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = join(root, 'mlp.yaml');
writeFileSync(
  config,
  `name: mlp
seed: 0
data:
  source: { kind: mnist, perDigit: 100 }
  split: { test: 0.3, val: 0.1, seed: 0 }
  batchSize: 32
model: { kind: mlp, hidden: [32] }
optimizer: { type: adam, lr: 0.003 }
train: { epochs: 4, threads: 1 }
`,
);

describe('anneal ensemble', () => {
  it('train: K seeded members, scored alone and together; ensemble.onnx reproduces the ensemble accuracy in plain ORT', async () => {
    const dir = join(root, 'members');
    const r = await run(['ensemble', 'train', config, '--members', '3', '--parallel', '2', '--out', dir, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/independent ensemble of 3 \(mean-probability\) on 300 test examples/);
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as EnsembleSummary;
    expect(s.members).toHaveLength(3);
    expect(new Set(s.members.map((m) => m.accuracy)).size).toBeGreaterThan(1); // different seeds, different members
    expect(s.meanMember.accuracy).toBeCloseTo(s.members.reduce((a, m) => a + m.accuracy, 0) / 3, 10);
    // the exported single model agrees with the metrics computed from the members
    const session = await createSession(new Uint8Array(readFileSync(s.model)), { device: 'cpu' });
    const mnist = loadMnist({ perDigit: 100 });
    expect(session.outputNames).toEqual(['probabilities']);
    const probs = await session.run({ x: { dataType: DataType.FLOAT, dims: [5, 784], data: (mnist.x.data as Float32Array).slice(0, 5 * 784) } });
    const p = probs.probabilities!.data as Float32Array;
    for (let i = 0; i < 5; i++) expect(p.slice(i * 10, i * 10 + 10).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    await session.release();
    const scored = await (await createPipeline()).evaluate(s.model, { config }); // argmax of the probabilities over the same test split
    expect(scored.accuracy).toBeCloseTo(s.ensemble.accuracy, 10);
    expect(scored.count).toBe(300);
    const v = await run(['ensemble', 'export', dir, '--combine', 'vote']);
    expect(v.code, v.err).toBe(0);
    expect(v.out).toMatch(/ensemble of 3 \(vote\)/);
  }, 120_000);

  it('snapshot: one run with cosine restarts exports a model per cycle and ensembles the last ones', async () => {
    const dir = join(root, 'snapshots');
    const r = await run(['ensemble', 'snapshot', config, '--cycles', '2', '--out', dir, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    for (const k of [1, 2]) expect(existsSync(join(dir, 'snapshots', `cycle-${k}.onnx`))).toBe(true);
    const lrs = readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; lr: number }).filter((l) => l.kind === 'batch').map((l) => l.lr);
    const restart = lrs.findIndex((lr, i) => i > 0 && lr > lrs[i - 1]! * 10);
    expect(restart).toBe(lrs.length / 2); // the lr restarts exactly at the second cycle
    expect(lrs[0]).toBeCloseTo(0.003, 10);
    expect(r.out).toMatch(/snapshot ensemble of 2/);
  }, 60_000);

  it('refuses impossible requests with the fix', async () => {
    let r = await run(['ensemble', 'snapshot', config, '--cycles', '3', '--out', join(root, 'x')]);
    expect(r.err).toMatch(/train\.epochs \(4\) must be a multiple of the cycles/);
    r = await run(['ensemble', 'train', config, '--members', '1', '--out', join(root, 'y')]);
    expect(r.err).toMatch(/at least 2 members/);
    r = await run(['ensemble', 'export', root]);
    expect(r.err).toMatch(/not an ensemble folder/);
  });
});
