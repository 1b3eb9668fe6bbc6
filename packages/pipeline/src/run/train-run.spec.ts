import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentIo, type CheckpointIO } from '@anneal/core';
import { safetensorsCheckpoints } from '@anneal/engine';
import { createPipeline } from '../pipeline.js';
import { CHECKPOINT_IO } from '../tokens.js';
import { runPaths } from './run-paths.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-train-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('trainRun', () => {
  it('writes runtime.json (the thread choice of threads: auto) before the first checkpoint file, so no kill can leave a checkpoint without it', async () => {
    const pipeline = await createPipeline({ io: silentIo, baseDir: root });
    const dir = join(root, 'auto');
    const seen: boolean[] = [];
    // the checkpoint writer the run resolves: records whether runtime.json exists as each checkpoint is written
    const io: CheckpointIO = {
      ...safetensorsCheckpoints,
      write: async (path, tensors, metadata) => {
        if (path.endsWith('last.safetensors')) seen.push(existsSync(runPaths(dir).runtime));
        return safetensorsCheckpoints.write(path, tensors, metadata);
      },
    };
    pipeline.container.register(CHECKPOINT_IO, { useValue: io });
    await pipeline.fit({ name: 'auto', data: { source: { type: 'iris' }, batchSize: 16 }, model: { type: 'mlp', hidden: [8] }, optimizer: { lr: 0.01 }, train: { epochs: 2, threads: 'auto', groupSize: 4 } }, { dir });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual(seen.map(() => true));
    const runtime = JSON.parse(readFileSync(runPaths(dir).runtime, 'utf8')) as { intraOp: number; loop: number };
    expect(runtime.intraOp).toBeGreaterThanOrEqual(1);
    expect(runtime.loop).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
