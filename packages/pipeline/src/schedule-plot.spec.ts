import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentIo } from '@anneal/core';
import { ConfigError } from './errors.js';
import { createPipeline } from './pipeline.js';
import { MAX_PLOT_POINTS, MAX_PLOT_STEPS, thinnedValues } from './schedule-plot.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-schedule-plot-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('schedule plot', () => {
  it('thins long schedules to the min and max of each bucket, keeping restarts shorter than a bucket', () => {
    const steps = 1_000_000;
    // a cycle of 700 steps: far shorter than a bucket (1000 steps), so plain sampling would alias it
    const saw = (t: number) => (t % 700) / 700;
    const points = thinnedValues(steps, saw);
    expect(points.length).toBeLessThanOrEqual(MAX_PLOT_POINTS);
    expect(points.map((p) => p.x)).toEqual([...points.map((p) => p.x)].sort((a, b) => a - b));
    expect(Math.min(...points.map((p) => p.y))).toBe(0);
    expect(Math.max(...points.map((p) => p.y))).toBeCloseTo(699 / 700, 12);
    expect(points.at(-1)!.x).toBeLessThan(steps);
    expect(thinnedValues(5, (t) => t)).toEqual([0, 1, 2, 3, 4].map((t) => ({ x: t, y: t })));
  });

  it('plots 10 million steps in bounded memory, and refuses 100 million with a clear error instead of a heap abort', async () => {
    const pipeline = await createPipeline({ io: silentIo, baseDir: root });
    const file = join(root, 'cosine.yaml');
    writeFileSync(file, 'schedules:\n  - schedule: { type: cosine, base: 0.1, tMax: 10000000 }\n');
    const big = await pipeline.schedulePlot(file, { steps: MAX_PLOT_STEPS, out: join(root, 'big') });
    expect(big.steps).toBe(MAX_PLOT_STEPS);
    expect(readFileSync(big.svg, 'utf8')).toMatch(/^<svg/);
    const started = performance.now();
    const error = await pipeline.schedulePlot(file, { steps: 100_000_000, out: join(root, 'huge') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/100000000 steps \(--steps\) is more than the 10000000 a plot evaluates; plot the first part of the run with --steps 10000000 or fewer/);
    expect(performance.now() - started).toBeLessThan(2000);
  }, 60_000);
});
