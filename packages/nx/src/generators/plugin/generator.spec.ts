import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, readProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { AnnealNxError } from '../../errors.js';
import { pluginGenerator } from './generator.js';
import { KIND_SOURCES, PLUGIN_KINDS } from './kinds/index.js';

const version = (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/** The define helper and conformance suite of each kind, as docs/plugins.md lists them. */
const TABLE: Record<string, [pkg: string, helper: string, suite: string]> = {
  schedule: ['@anneal/schedulers', 'defineScheduler', 'describeSchedulerConformance'],
  optimizer: ['@anneal/optim', 'defineOptimizer', 'describeOptimizerConformance'],
  loss: ['@anneal/autograd', 'defineLoss', 'describeLossConformance'],
  'gradient-rule': ['@anneal/autograd', 'defineGradientRules', 'describeGradientRuleConformance'],
  metric: ['@anneal/core', 'defineMetric', 'describeMetricConformance'],
  callback: ['@anneal/core', 'defineCallback', 'describeCallbackConformance'],
  logger: ['@anneal/core', 'defineLogger', 'describeLoggerConformance'],
  'data-source': ['@anneal/data', 'defineDataSource', 'describeDataSourceConformance'],
  model: ['@anneal/engine', 'defineModel', 'describeModelConformance'],
  sampler: ['@anneal/search', 'defineSampler', 'describeSamplerConformance'],
  pruner: ['@anneal/search', 'definePruner', 'describePrunerConformance'],
  storage: ['@anneal/search', 'defineStorage', 'describeStorageConformance'],
};

let tree: Tree;
beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
});

describe('@anneal/nx:plugin', () => {
  it('covers every extension point kind of docs/plugins.md', () => {
    expect([...PLUGIN_KINDS].sort()).toEqual(Object.keys(TABLE).sort());
  });

  for (const kind of PLUGIN_KINDS) {
    it(`${kind}: a package whose descriptor uses ${TABLE[kind]![1]} and whose spec runs ${TABLE[kind]![2]}`, async () => {
      const [pkg, helper, suite] = TABLE[kind]!;
      await pluginGenerator(tree, { name: `my-${kind}`, kind, directory: `packages/my-${kind}`, skipFormat: true });
      const root = `packages/my-${kind}`;
      const manifest = readJson(tree, `${root}/package.json`);
      expect(manifest).toMatchObject({ name: `my-${kind}`, type: 'module', main: './dist/index.js', scripts: { build: 'tsc -p tsconfig.build.json', test: 'vitest run' } });
      expect(manifest.peerDependencies[pkg]).toBe(`^${version}`);
      expect(manifest.devDependencies['@anneal/testing']).toBe(`^${version}`);
      expect(Object.keys(manifest.dependencies)).toEqual(['zod']);
      const index = tree.read(`${root}/src/index.ts`, 'utf8')!;
      expect(index).toContain(`import { `);
      expect(index).toMatch(new RegExp(`\\b${helper}\\b[^]*from '${pkg}'`));
      expect(index).toContain(`id: 'my-${kind}'`);
      expect(index).toMatch(/export const descriptors = \[\w+\];\nexport default descriptors;/);
      const spec = tree.read(`${root}/src/index.spec.ts`, 'utf8')!;
      expect(spec).toMatch(new RegExp(`import \\{[^}]*\\b${suite}\\b[^}]*\\} from '@anneal/testing'`));
      expect(spec).toContain(`from './index.js'`);
      // every @anneal package the sources import is declared
      const imported = [...`${index}\n${spec}`.matchAll(/from '(@anneal\/[\w-]+)'/g)].map((m) => m[1]!);
      for (const p of imported) expect({ ...manifest.peerDependencies, ...manifest.devDependencies }, p).toHaveProperty([p]);
      expect(readJson(tree, `${root}/tsconfig.json`).compilerOptions).toMatchObject({ module: 'nodenext', strict: true, outDir: 'dist' });
      expect(tree.read(`${root}/vitest.config.ts`, 'utf8')).toContain(`pool: 'forks'`);
      expect(tree.read(`${root}/README.md`, 'utf8')).toContain(KIND_SOURCES[kind].usage({ id: `my-${kind}`, constant: '', packageName: `my-${kind}` }));
      expect(readProjectConfiguration(tree, `my-${kind}`)).toMatchObject({ root, sourceRoot: `${root}/src`, projectType: 'library', tags: ['anneal-plugin', `anneal-${kind}`] });
    });
  }

  it('defaults: the folder and the package are named after the plugin; --packageName names the package', async () => {
    await pluginGenerator(tree, { name: 'step-decay', kind: 'schedule', skipFormat: true });
    expect(readJson(tree, 'step-decay/package.json').name).toBe('step-decay');
    expect(tree.read('step-decay/src/index.ts', 'utf8')).toContain('export const stepDecay = defineScheduler({');
    await pluginGenerator(tree, { name: 'focal', kind: 'loss', directory: 'libs/focal', packageName: '@acme/focal', skipFormat: true });
    expect(readJson(tree, 'libs/focal/package.json').name).toBe('@acme/focal');
    expect(readProjectConfiguration(tree, '@acme/focal').root).toBe('libs/focal');
  });

  it('refuses a name that is not a kebab-case id, an unknown kind, a folder that is not empty, a project name taken', async () => {
    const error = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as AnnealNxError);
    expect((await error(pluginGenerator(tree, { name: 'StepDecay', kind: 'schedule' })))?.message).toMatch(/--name 'StepDecay' is not a kebab-case plugin id/);
    expect((await error(pluginGenerator(tree, { name: 'x', kind: 'scheduler' as never })))?.message).toMatch(/--kind 'scheduler' is not an extension point kind; use one of schedule, optimizer/);
    tree.write('packages/taken/file.txt', 'mine');
    const taken = await error(pluginGenerator(tree, { name: 'taken', kind: 'metric', directory: 'packages/taken' }));
    expect(taken).toBeInstanceOf(AnnealNxError);
    expect(taken?.message).toBe('packages/taken already exists and is not empty; choose another --directory or remove it');
    expect(tree.read('packages/taken/file.txt', 'utf8')).toBe('mine');
    await pluginGenerator(tree, { name: 'dup', kind: 'metric', skipFormat: true });
    expect((await error(pluginGenerator(tree, { name: 'dup', kind: 'metric', directory: 'elsewhere' })))?.message).toMatch(/already has a project named 'dup'/);
  });
});
