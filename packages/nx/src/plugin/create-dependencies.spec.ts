import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DependencyType, type CreateDependenciesContext } from '@nx/devkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createDependencies } from './create-dependencies.js';

const ws = mkdtempSync(join(tmpdir(), 'anneal-nx-deps-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, path)), { recursive: true });
    writeFileSync(join(ws, path), text);
  }
}

describe('createDependencies', () => {
  it('links a project to the workspace projects and npm packages its configs name as plugin packages (a tune config with its base too)', async () => {
    write({
      'trainings/digits/digits.fit.yaml': 'name: digits\nschedules: [{ target: lr, schedule: { type: halving, package: halving } }]\nplugins: [acme-callbacks, not-installed]\n',
      'trainings/digits/digits.tune.yaml': 'name: s\nbase: digits.fit.yaml\nsampler: { type: hill-climb, package: "@acme/samplers" }\n',
      'trainings/digits/notes.yaml': 'package: halving\n',
      'packages/halving/package.json': JSON.stringify({ name: 'halving' }),
      'packages/samplers/package.json': JSON.stringify({ name: '@acme/samplers' }),
    });
    const file = (f: string) => ({ file: f, hash: '0' });
    const context = {
      workspaceRoot: ws,
      nxJsonConfiguration: {},
      // halving's package name from its package.json, @acme/samplers' from Nx's metadata
      projects: { digits: { root: 'trainings/digits' }, 'halving-project': { root: 'packages/halving' }, samplers: { root: 'packages/samplers', metadata: { js: { packageName: '@acme/samplers' } } } },
      externalNodes: { 'npm:acme-callbacks': { type: 'npm', name: 'npm:acme-callbacks', data: { version: '1.0.0', packageName: 'acme-callbacks' } } },
      fileMap: { projectFileMap: {}, nonProjectFiles: [] },
      filesToProcess: { projectFileMap: { digits: ['trainings/digits/digits.fit.yaml', 'trainings/digits/digits.tune.yaml', 'trainings/digits/notes.yaml'].map(file) }, nonProjectFiles: [] },
    } as unknown as CreateDependenciesContext;
    const deps = await createDependencies(undefined, context);
    const edge = (target: string, sourceFile: string) => ({ source: 'digits', target, sourceFile, type: DependencyType.static });
    expect(deps).toEqual([
      edge('halving-project', 'trainings/digits/digits.fit.yaml'),
      edge('npm:acme-callbacks', 'trainings/digits/digits.fit.yaml'),
      edge('samplers', 'trainings/digits/digits.tune.yaml'),
      edge('halving-project', 'trainings/digits/digits.tune.yaml'),
      edge('npm:acme-callbacks', 'trainings/digits/digits.tune.yaml'),
    ]);
  });
});
