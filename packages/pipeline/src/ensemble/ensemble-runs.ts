import { join } from 'node:path';
import type { Callback } from '@anneal/core';
import { ensureDir, saveModel, writeFileAtomic, type ModelProto } from '@anneal/onnx';
import { silentIo } from '@anneal/core';
import type { FitConfig } from '../config/fit-config.js';
import type { Pipeline } from '../pipeline.js';
import { runPaths } from '../run/run-paths.js';
import type { FitSummary } from '../run/train-run.js';

/** A member's config: the base with its own seed (initialization and shuffling); the data split stays the same. */
export function memberConfig(config: FitConfig, index: number, threads: FitConfig['train']['threads']): FitConfig {
  const seed = config.seed + index;
  // built architectures take the member's seed; an ONNX file keeps its weights (members differ by data order and dropout)
  const model = config.model.type === 'onnx' ? config.model : { ...config.model, seed: ((config.model.seed as number | undefined) ?? config.seed) + index };
  return { ...config, name: `${config.name}-member-${index}`, seed, model, train: { ...config.train, threads } };
}

/** Trains K members, `parallel` at a time in this process (ORT runs each on its own thread), each a run folder `<dir>/members/<i>`. */
export async function trainMembers(pipeline: Pipeline, config: FitConfig, dir: string, members: number, parallel: number, onDone: (i: number, s: FitSummary) => void): Promise<FitSummary[]> {
  const threads = parallel > 1 ? 1 : config.train.threads;
  const results: FitSummary[] = new Array(members);
  let next = 0;
  const worker = async () => {
    while (next < members) {
      const i = next++;
      const cfg = memberConfig(config, i, threads);
      const memberDir = join(dir, 'members', String(i));
      ensureDir(memberDir);
      writeFileAtomic(runPaths(memberDir).config, JSON.stringify(cfg, null, 2) + '\n');
      results[i] = await pipeline.train(cfg, { dir: memberDir, io: members > 1 && parallel > 1 ? silentIo : undefined });
      onDone(i, results[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, members) }, worker));
  return results;
}

/**
 * A callback that exports the model at the end of every lr cycle (snapshot ensembles, Huang et
 * al. 2017): `<dir>/snapshots/cycle-<k>.onnx` after epochs cycleEpochs, 2*cycleEpochs, ...
 */
export function snapshotCallback(dir: string, cycleEpochs: number, exportModel: () => Promise<ModelProto>, onSnapshot: (path: string, cycle: number) => void): Callback {
  return {
    key: 'snapshots',
    async onEpochEnd(e) {
      if (e.epoch % cycleEpochs !== 0) return;
      const cycle = e.epoch / cycleEpochs;
      const path = join(dir, 'snapshots', `cycle-${cycle}.onnx`);
      ensureDir(join(dir, 'snapshots'));
      saveModel(path, await exportModel());
      onSnapshot(path, cycle);
    },
  };
}
