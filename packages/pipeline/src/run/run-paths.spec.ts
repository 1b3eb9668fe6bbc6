import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentIo } from '@anneal/core';
import { FolderError } from '@anneal/onnx';
import { ConfigError } from '../errors.js';
import { createPipeline } from '../pipeline.js';
import { claimRunDir, freshRunDir } from './run-paths.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-run-paths-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const iris = (name: string) => ({ name, data: { source: { type: 'iris' }, batchSize: 16 }, model: { type: 'mlp', hidden: [8] }, optimizer: { lr: 0.01 }, train: { epochs: 1, threads: 1 } });

describe('run folders', () => {
  it('claimRunDir: the marker appears whole, once; a second claim is told the folder is taken; parents are created', () => {
    const dir = join(root, 'a', 'b', 'run');
    claimRunDir(dir, 'config.json', '{"first":true}\n', () => 'taken');
    expect(() => claimRunDir(dir, 'config.json', '{"second":true}\n', () => `${dir} already holds a run`)).toThrow(new ConfigError(`${dir} already holds a run`));
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"first":true}\n');
    expect(readdirSync(dir)).toEqual(['config.json']); // no temporary file left behind by either claim
    expect(() => claimRunDir('/proc/self/nope/run', 'config.json', '{}', () => 'taken')).toThrow(FolderError);
    expect(() => freshRunDir('/proc/self/nope/run')).toThrow(FolderError);
  });

  it('two fits given the same folder at once: one trains, the other is refused and the winner keeps its config', async () => {
    const pipeline = await createPipeline({ io: silentIo, baseDir: root });
    const dir = join(root, 'shared');
    const results = await Promise.allSettled([pipeline.fit(iris('first'), { dir }), pipeline.fit(iris('second'), { dir })]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(ConfigError);
    expect(String(lost[0]!.reason.message)).toMatch(/already holds a run; continue it with `anneal resume/);
    const winner = results[0]!.status === 'fulfilled' ? 'first' : 'second';
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).name).toBe(winner);
    expect(existsSync(join(dir, 'summary.json'))).toBe(true);
  }, 60_000);

  it("refuses the run names '.' and '..' for fit, tune, finetune, recipe and ensembles, before writing anything", async () => {
    const base = mkdtempSync(join(root, 'names-'));
    const pipeline = await createPipeline({ io: silentIo, baseDir: base });
    const message = /name: '\.' and '\.\.' are not names/;
    for (const name of ['.', '..']) {
      await expect(pipeline.fit(iris(name))).rejects.toThrow(message);
      await expect(pipeline.ensembleTrain(iris(name), { members: 2 })).rejects.toThrow(message);
      await expect(pipeline.ensembleSnapshot(iris(name), { cycles: 2 })).rejects.toThrow(message);
      await expect(pipeline.tune({ name, base: iris('base'), space: { 'optimizer.lr': { type: 'float', low: 0.001, high: 0.1 } }, trials: 1 })).rejects.toThrow(message);
      await expect(pipeline.finetune({ name, backbone: { path: 'x.onnx' }, data: { source: { type: 'mnist' } }, train: { epochs: 1 } })).rejects.toThrow(message);
      const recipe = join(base, `recipe-${name.length}.json`);
      writeFileSync(recipe, JSON.stringify({ name, base: iris('base') }));
      await expect(pipeline.recipe(recipe)).rejects.toThrow(message);
    }
    // names with separators were already refused; other names with dots are fine
    await expect(pipeline.fit(iris('a/b'))).rejects.toThrow(/letters, digits, _ \. - only/);
    expect(pipeline.fitConfig(iris('v1.2')).name).toBe('v1.2');
    expect(readdirSync(base).filter((f) => !f.startsWith('recipe-'))).toEqual([]);
  }, 60_000);
});
