import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { silentIo } from '@anneal/core';
import { sgd } from '@anneal/optim';
import { ALL_TOKENS, ConfigError, createPipeline, createRunContainer, composeRun, RUN_OPTIMIZER, RUN_CONFIG, PLUGINS } from './index.js';

const src = dirname(fileURLToPath(import.meta.url));

/** Every .ts source of the package but specs. */
function sources(dir = src): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return f.endsWith('.ts') && !f.endsWith('.spec.ts') ? [readFileSync(p, 'utf8')] : [];
  });
}

const iris = { name: 'iris', data: { source: { type: 'iris' }, split: { test: 0.2, val: 0.2, seed: 0, stratify: true }, batchSize: 16 }, model: { type: 'mlp', hidden: [16] }, optimizer: { type: 'adam', lr: 0.01 }, train: { epochs: 3, threads: 1 } };

describe('the composition root', () => {
  it('resolves every token it registers somewhere (no decorative DI)', () => {
    const code = sources().join('\n');
    for (const name of Object.keys(ALL_TOKENS)) {
      expect(code, `${name} is registered`).toMatch(new RegExp(`(register|once)\\(${name}\\b`));
      expect(code, `${name} is resolved`).toMatch(new RegExp(`resolve(All)?\\(${name}\\b`));
    }
  });

  it('composes each run in its own child container, where a token can be overridden before it is resolved', async () => {
    const pipeline = await createPipeline({ io: silentIo });
    const a = await createRunContainer(pipeline.container, pipeline.fitConfig(iris), {});
    const b = await createRunContainer(pipeline.container, pipeline.fitConfig({ ...iris, name: 'other' }), {});
    expect(a).not.toBe(b);
    expect(a.resolve(RUN_CONFIG).name).toBe('iris');
    expect(b.resolve(RUN_CONFIG).name).toBe('other');
    // both see the pipeline's plugins through their parent
    expect(a.resolveAll(PLUGINS).length).toBe(pipeline.container.resolveAll(PLUGINS).length);
    // the config asks for adam; the run uses what its container resolves
    a.register(RUN_OPTIMIZER, { useValue: sgd({ momentum: 0.5 }) });
    const run = await composeRun(a);
    expect(run.session.update.optimizer).toBe('sgd-momentum');
    const other = await composeRun(b);
    expect(other.session.update.optimizer).toBe('adam');
    await run.session.release();
    await other.session.release();
  });

  it('trains in memory (dir: false) and reports the test score, writing no files', async () => {
    const pipeline = await createPipeline({ io: silentIo });
    const s = await pipeline.fit(iris, { dir: false });
    expect(s.runDir).toBe('');
    expect(s.epochs).toBe(3);
    expect(s.test.count).toBe(30);
    expect(s.test.accuracy!).toBeGreaterThan(0.6);
  });

  it('checks every plugin spec before training and lists the problems with their config paths', async () => {
    const pipeline = await createPipeline({ io: silentIo });
    const bad = { ...iris, model: { type: 'mlp', hiden: [3] }, optimizer: { type: 'adam', lr: 0.01, momentum: 0.9 }, metrics: ['accuracy', { type: 'top-k' }], callbacks: { earlyStoping: {} } };
    const e = await pipeline.fit(bad, { dir: false }).catch((err: unknown) => err as ConfigError);
    expect(e).toBeInstanceOf(ConfigError);
    const message = (e as Error).message;
    expect(message).toContain("model.hiden: unknown option 'hiden'; known options: hidden, activation, dropout, seed (model 'mlp')");
    expect(message).toContain("optimizer.momentum: unknown option 'momentum'; known options: beta1, beta2, eps, amsgrad (optimizer 'adam')");
    expect(message).toContain("metrics[1].k: is required (expected number) (metric 'top-k')");
    expect(message).toMatch(/callbacks\.earlyStoping\.type: unknown callback 'early-stoping' \(known callbacks: early-stopping, /);
  });
});
