import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Callback } from '@anneal/core';
import { saveModel, writeFileAtomic, type ModelProto } from '@anneal/onnx';
import type { FitConfig } from '../fit/config-schema';
import { runFit, type FitIo, type FitSummary } from '../fit/fit-command';
import { runPaths } from '../fit/run-dir';

/** A member's config: the base with its own seed (initialization and shuffling); the data split stays the same. */
export function memberConfig(config: FitConfig, index: number, threads: FitConfig['train']['threads']): FitConfig {
  const seed = config.seed + index;
  const model = config.model.kind === 'onnx' ? config.model : { ...config.model, seed: (config.model.seed ?? config.seed) + index };
  return { ...config, name: `${config.name}-member-${index}`, seed, model, train: { ...config.train, threads } };
}

/** Trains K members, `parallel` at a time in this process (ORT runs each on its own thread), each a run folder `<dir>/members/<i>`. */
export async function trainMembers(config: FitConfig, dir: string, members: number, parallel: number, io: FitIo, onDone: (i: number, s: FitSummary) => void): Promise<FitSummary[]> {
  const threads = parallel > 1 ? 1 : config.train.threads;
  const results: FitSummary[] = new Array(members);
  let next = 0;
  const quiet: FitIo = { out: () => {}, err: () => {}, progress: false };
  const worker = async () => {
    while (next < members) {
      const i = next++;
      const cfg = memberConfig(config, i, threads);
      const memberDir = join(dir, 'members', String(i));
      mkdirSync(memberDir, { recursive: true });
      writeFileAtomic(runPaths(memberDir).config, JSON.stringify(cfg, null, 2) + '\n');
      results[i] = await runFit(cfg, memberDir, undefined, members > 1 && parallel > 1 ? quiet : io);
      onDone(i, results[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, members) }, worker));
  return results;
}

/**
 * A callback that exports the model at the end of every lr cycle (snapshot ensembles, Huang et
 * al. 2017): `<dir>/snapshots/cycle-<k>.onnx` after epochs cycleEpochs-1, 2*cycleEpochs-1, ...
 */
export function snapshotCallback(dir: string, cycleEpochs: number, exportModel: () => Promise<ModelProto>, onSnapshot: (path: string, cycle: number) => void): Callback {
  return {
    key: 'snapshots',
    async onEpochEnd(e) {
      if ((e.epoch + 1) % cycleEpochs !== 0) return;
      const cycle = (e.epoch + 1) / cycleEpochs;
      const path = join(dir, 'snapshots', `cycle-${cycle}.onnx`);
      mkdirSync(join(dir, 'snapshots'), { recursive: true });
      saveModel(path, await exportModel());
      onSnapshot(path, cycle);
    },
  };
}
