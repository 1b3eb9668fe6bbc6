import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readJson, readNxJson, readProjectConfiguration, updateJson, type CreateNodesResult, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createNodes } from '../../plugin/create-nodes.js';
import { trainingGenerator } from './generator.js';

let tree: Tree;
beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
});

describe('@anneal/nx:training', () => {
  it('writes an MNIST MLP fit config and a tune config over it, a .gitignore for runs/ and a project.json', async () => {
    await trainingGenerator(tree, { name: 'digits', directory: 'trainings/digits', epochs: 2, perDigit: 30, threads: 1, trials: 4, skipFormat: true });
    const fit = parse(tree.read('trainings/digits/digits.fit.yaml', 'utf8')!);
    expect(fit).toEqual({
      name: 'digits',
      seed: 1,
      data: { source: { type: 'mnist', perDigit: 30 }, split: { test: 0.2, val: 0.1, seed: 0, stratify: true }, batchSize: 32 },
      model: { type: 'mlp', hidden: [64] },
      optimizer: { type: 'adam', lr: 0.003 },
      metrics: ['accuracy'],
      train: { epochs: 2, threads: 1 },
    });
    const tune = parse(tree.read('trainings/digits/digits.tune.yaml', 'utf8')!);
    expect(tune).toMatchObject({ name: 'digits-study', base: 'digits.fit.yaml', trials: 4, metric: 'val.accuracy', sampler: { type: 'tpe' }, pruner: { type: 'median' } });
    expect(Object.keys(tune.space)).toEqual(['optimizer.lr', 'model.hidden']);
    expect(tree.read('trainings/digits/.gitignore', 'utf8')).toContain('runs/');
    expect(readProjectConfiguration(tree, 'digits')).toMatchObject({ root: 'trainings/digits', projectType: 'application', tags: ['anneal-training'] });
  });

  it('iris: a smaller MLP; defaults: the folder is the name, 30 epochs, 10 trials', async () => {
    await trainingGenerator(tree, { name: 'flowers', dataset: 'iris', skipFormat: true });
    const fit = parse(tree.read('flowers/flowers.fit.yaml', 'utf8')!);
    expect(fit).toMatchObject({ data: { source: { type: 'iris' }, batchSize: 16 }, model: { hidden: [16] }, train: { epochs: 30 } });
    expect(parse(tree.read('flowers/flowers.tune.yaml', 'utf8')!).trials).toBe(10);
  });

  it('registers @anneal/nx in nx.json once, and adds @anneal/cli to the root package.json (then installs) only when missing', async () => {
    const install = await trainingGenerator(tree, { name: 'a', skipFormat: true });
    expect(readNxJson(tree)!.plugins).toEqual(['@anneal/nx']);
    expect(readJson(tree, 'package.json').devDependencies['@anneal/cli']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(typeof install).toBe('function');
    updateJson(tree, 'nx.json', (j) => ({ ...j, plugins: [{ plugin: '@anneal/nx', options: { trainTargetName: 'fit' } }] }));
    const again = await trainingGenerator(tree, { name: 'b', skipFormat: true });
    expect(readNxJson(tree)!.plugins).toEqual([{ plugin: '@anneal/nx', options: { trainTargetName: 'fit' } }]);
    expect(again).toBeUndefined();
  });

  it('refuses a name that is not kebab-case, an unknown dataset, a folder that is not empty', async () => {
    await expect(trainingGenerator(tree, { name: 'My Digits' })).rejects.toThrow(/--name 'My Digits' is not kebab-case/);
    await expect(trainingGenerator(tree, { name: 'x', dataset: 'cifar' as never })).rejects.toThrow(/--dataset 'cifar' is not one of mnist, iris/);
    tree.write('taken/notes.md', 'mine');
    await expect(trainingGenerator(tree, { name: 'taken' })).rejects.toThrow('taken already exists and is not empty; choose another --directory or remove it');
  });

  it('the plugin infers train, evaluate and tune for what it wrote', async () => {
    await trainingGenerator(tree, { name: 'digits', directory: 'trainings/digits', skipFormat: true });
    const ws = mkdtempSync(join(tmpdir(), 'anneal-nx-training-'));
    try {
      for (const c of tree.listChanges()) {
        if (c.type === 'DELETE') continue;
        mkdirSync(dirname(join(ws, c.path)), { recursive: true });
        writeFileSync(join(ws, c.path), c.content!);
      }
      const files = ['trainings/digits/digits.fit.yaml', 'trainings/digits/digits.tune.yaml'];
      const results = (await createNodes[1](files, undefined, { workspaceRoot: ws, nxJsonConfiguration: {} })) as [string, CreateNodesResult][];
      const targets = Object.assign({}, ...results.map(([, r]) => r.projects!['trainings/digits']!.targets));
      expect(Object.keys(targets).sort()).toEqual(['evaluate', 'train', 'tune']);
      expect(targets.train.command).toBe('anneal fit digits.fit.yaml --out runs/digits --force --no-progress');
      expect(targets.tune.command).toBe('anneal tune digits.tune.yaml --out runs/digits-study --force');
      expect(targets.tune.inputs).toEqual(['{projectRoot}/digits.tune.yaml', '{projectRoot}/digits.fit.yaml']);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
