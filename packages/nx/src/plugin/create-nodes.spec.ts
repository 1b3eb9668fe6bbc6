import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CreateNodesResult, TargetConfiguration } from '@nx/devkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodes } from './create-nodes.js';
import type { AnnealNxPluginOptions } from './options.js';

let ws: string;

/** Writes files under the temp workspace. */
function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, path)), { recursive: true });
    writeFileSync(join(ws, path), text);
  }
}

/** createNodes on these config files: the targets by project root. */
async function infer(files: string[], options?: AnnealNxPluginOptions, root = ws): Promise<Record<string, Record<string, TargetConfiguration>>> {
  const results = (await createNodes[1](files, options, { workspaceRoot: root, nxJsonConfiguration: {} })) as [string, CreateNodesResult][];
  const out: Record<string, Record<string, TargetConfiguration>> = {};
  for (const [, r] of results) for (const [projectRoot, p] of Object.entries(r.projects ?? {})) out[projectRoot] = { ...out[projectRoot], ...p.targets };
  return out;
}

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'anneal-nx-nodes-'));
  write({
    'package.json': JSON.stringify({ name: 'ws', private: true, workspaces: ['packages/*'] }),
    // installed npm packages, and a workspace package linked into node_modules as npm workspaces do
    'node_modules/@anneal/cli/package.json': JSON.stringify({ name: '@anneal/cli', version: '0.1.0' }),
    'node_modules/acme-schedules/package.json': JSON.stringify({ name: 'acme-schedules', version: '1.0.0' }),
    'packages/local-samplers/package.json': JSON.stringify({ name: 'local-samplers', version: '0.0.1' }),
    'trainings/digits/project.json': JSON.stringify({ name: 'digits' }),
    'trainings/digits/data/x.npy': 'x',
    'trainings/digits/data/y.npy': 'y',
    'trainings/digits/digits.fit.yaml': `name: digits
data:
  source: { type: npy, x: data/x.npy, y: data/y.npy }
model: { type: onnx, path: ../../models/backbone.onnx }
optimizer: { lr: 0.01 }
schedules: [{ target: lr, schedule: { type: halving, package: acme-schedules, base: 0.01, every: 10 } }]
`,
    'trainings/digits/configs/digits.tune.yaml': `name: digits-study
base: ../digits.fit.yaml
space: { optimizer.lr: { type: float, low: 0.001, high: 0.1, log: true } }
sampler: { type: hill-climb, package: local-samplers }
`,
    'trainings/many/package.json': JSON.stringify({ name: 'many' }),
    'trainings/many/a.fit.yaml': 'name: a\ndata: { source: { type: csv, path: /elsewhere/outside.csv, label: class } }\n',
    'trainings/many/b.fit.json': JSON.stringify({ name: 'b', data: { source: { type: 'iris' } } }),
    'trainings/many/redis.tune.yml': 'name: r\nbase: a.fit.yaml\nstorage: redis://localhost:6379\n',
    'trainings/broken/project.json': JSON.stringify({ name: 'broken' }),
    'trainings/broken/bad.fit.yaml': 'name: [unclosed\n',
  });
  symlinkSync(join(ws, 'packages', 'local-samplers'), join(ws, 'node_modules', 'local-samplers'), 'dir');
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('createNodes', () => {
  it('a fit config: train (anneal fit into runs/<stem>, cached) and evaluate (after train); inputs are the config, its data, model and packages', async () => {
    const { 'trainings/digits': t } = await infer(['trainings/digits/digits.fit.yaml']);
    expect(Object.keys(t!).sort()).toEqual(['evaluate', 'train']);
    expect(t!.train).toMatchObject({
      command: 'anneal fit digits.fit.yaml --out runs/digits --force --no-progress',
      options: { cwd: 'trainings/digits' },
      cache: true,
      outputs: ['{projectRoot}/runs/digits'],
      dependsOn: ['^build'],
    });
    expect(t!.train!.inputs).toEqual([
      '{projectRoot}/digits.fit.yaml',
      '{projectRoot}/data/x.npy',
      '{projectRoot}/data/y.npy',
      '{workspaceRoot}/models/backbone.onnx',
      { externalDependencies: ['acme-schedules', '@anneal/cli'] },
    ]);
    expect(t!.evaluate).toMatchObject({ command: 'anneal evaluate runs/digits', options: { cwd: 'trainings/digits' }, cache: true, dependsOn: ['train'], outputs: [] });
    expect(t!.evaluate!.inputs).toEqual([...t!.train!.inputs!, { dependentTasksOutputFiles: '**/*' }]);
  });

  it('a tune config in a subfolder: tune into runs/<stem>-study; its base file (relative to it) and the base data are inputs, a workspace package by its files', async () => {
    const { 'trainings/digits': t } = await infer(['trainings/digits/configs/digits.tune.yaml']);
    expect(Object.keys(t!)).toEqual(['tune']);
    expect(t!.tune).toMatchObject({ command: 'anneal tune configs/digits.tune.yaml --out runs/digits-study --force', cache: true, outputs: ['{projectRoot}/runs/digits-study'] });
    expect(t!.tune!.inputs).toEqual([
      '{projectRoot}/configs/digits.tune.yaml',
      '{projectRoot}/digits.fit.yaml',
      '{projectRoot}/data/x.npy',
      '{projectRoot}/data/y.npy',
      '{workspaceRoot}/models/backbone.onnx',
      '{workspaceRoot}/packages/local-samplers/**/*',
      '!{workspaceRoot}/packages/local-samplers/**/*.spec.ts',
      { externalDependencies: ['acme-schedules', '@anneal/cli'] },
    ]);
  });

  it('several configs of a kind in one project: a target per config (-<stem>) and one that runs them all; a path outside the workspace is reported, not hashed; a study in Redis is not cached', async () => {
    const { 'trainings/many': t } = await infer(['trainings/many/a.fit.yaml', 'trainings/many/b.fit.json', 'trainings/many/redis.tune.yml']);
    expect(Object.keys(t!).sort()).toEqual(['evaluate', 'evaluate-a', 'evaluate-b', 'train', 'train-a', 'train-b', 'tune']);
    expect(t!.train).toMatchObject({ executor: 'nx:noop', dependsOn: ['train-a', 'train-b'] });
    expect(t!['evaluate-b']).toMatchObject({ command: 'anneal evaluate runs/b', dependsOn: ['train-b'] });
    expect(t!['train-a']!.inputs).toEqual(['{projectRoot}/a.fit.yaml', { externalDependencies: ['@anneal/cli'] }]);
    expect(t!['train-a']!.metadata!.description).toMatch(/Not hashed: \/elsewhere\/outside\.csv \(outside the workspace\)/);
    expect(t!.tune).toMatchObject({ command: 'anneal tune redis.tune.yml --out runs/redis-study --force', cache: false });
    expect(t!.tune!.metadata!.description).toMatch(/not cached: its storage is outside the study folder/);
  });

  it('a config that does not parse still gets its targets (anneal reports the error when they run), hashed on the file alone', async () => {
    const { 'trainings/broken': t } = await infer(['trainings/broken/bad.fit.yaml']);
    expect(t!.train!.inputs).toEqual(['{projectRoot}/bad.fit.yaml', { externalDependencies: ['@anneal/cli'] }]);
    expect(t!.train!.metadata!.description).toMatch(/Not hashed: .*bad\.fit\.yaml is not valid YAML/);
  });

  it('target names, the runs folder, the study suffix and the command come from the options', async () => {
    const { 'trainings/digits': t } = await infer(['trainings/digits/digits.fit.yaml', 'trainings/digits/configs/digits.tune.yaml'], { trainTargetName: 'fit', evaluateTargetName: 'score', tuneTargetName: 'search', runsDir: 'out/runs', studySuffix: '.study', command: 'npx anneal' });
    expect(Object.keys(t!).sort()).toEqual(['fit', 'score', 'search']);
    expect(t!.fit!.command).toBe('npx anneal fit digits.fit.yaml --out out/runs/digits --force --no-progress');
    expect(t!.fit!.outputs).toEqual(['{projectRoot}/out/runs/digits']);
    expect(t!.score!.dependsOn).toEqual(['fit']);
    expect(t!.search!.command).toBe('npx anneal tune configs/digits.tune.yaml --out out/runs/digits.study --force');
  });

  it('a config outside every project (no project.json or package.json up to the root) gets no targets', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'anneal-nx-bare-'));
    try {
      mkdirSync(join(bare, 'loose'));
      writeFileSync(join(bare, 'loose', 'x.fit.yaml'), 'name: x\n');
      expect(await infer(['loose/x.fit.yaml'], undefined, bare)).toEqual({});
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
