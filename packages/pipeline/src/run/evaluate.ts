import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TensorValue } from '@anneal/onnx';
import { accuracy, topK } from '@anneal/core';
import type { FitConfig } from '../config/fit-config.js';
import { readJsonFile, validateFitConfig } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import type { Pipeline } from '../pipeline.js';
import { RUN_PARTS } from '../tokens.js';
import { createRunContainer } from './compose.js';
import { classScores } from './model-output.js';
import { modelSession } from './model-session.js';
import { dataLoaders, type RunData } from './run-data.js';
import { runPaths } from './run-paths.js';

/** Summed softmax cross-entropy of [N, C] logits against class-id labels. */
function crossEntropySum(logits: TensorValue, labels: TensorValue): number {
  const [n, c] = logits.dims as [number, number];
  const x = logits.data as Float32Array;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * c, (i + 1) * c);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let exp = 0;
    for (const v of row) exp += Math.exp(v - max);
    sum += Math.log(exp) + max - row[Number(labels.data[i])]!;
  }
  return sum;
}

/**
 * The loaders of a config's data (its data-source plugin, split as configured), feeding `x`:
 * what evaluating a saved model on a split needs.
 */
export async function configData(pipeline: Pipeline, config: FitConfig): Promise<RunData> {
  const c = await createRunContainer(pipeline.container, config, { baseDir: pipeline.baseDir });
  const { parts, classes } = await c.resolve(RUN_PARTS);
  return dataLoaders(parts, config, 'x', classes);
}

/** What {@link evaluate} reports. */
export interface EvaluateResult {
  split: string;
  loss: number;
  accuracy: number;
  topK: number;
  k: number;
  count: number;
  model: string;
}

/**
 * `anneal evaluate <run-dir | model.onnx> [--config c]`: runs a saved inference model with plain
 * ONNX Runtime on a split (default test) of the run's (or the given) config.
 */
export async function evaluate(pipeline: Pipeline, target: string, options: { config?: string; split?: 'test' | 'val' | 'train'; topK?: number }): Promise<EvaluateResult> {
  const isDir = existsSync(join(target, 'config.json'));
  const modelPath = isDir ? runPaths(target).model : target;
  if (!existsSync(modelPath)) throw new ConfigError(`${modelPath}: no such model; give a run folder (with model.onnx) or an .onnx file`);
  if (!options.config && !isDir) throw new ConfigError('evaluating a bare .onnx file needs --config <fit config> to know the data');
  const config: FitConfig = options.config ? pipeline.fitConfig(options.config) : validateFitConfig(readJsonFile(runPaths(target).config), runPaths(target).config);
  const data = await configData(pipeline, config);
  const split = options.split ?? 'test';
  const loader = split === 'train' ? data.train : split === 'val' ? data.val : data.test;
  if (!loader) throw new ConfigError(`the config has no ${split} split`);
  const k = options.topK ?? 5;
  return { split, ...(await scoreModelFile(modelPath, loader.epochBatches(0), k)), model: modelPath };
}

/** Runs a saved inference model with plain ONNX Runtime (CPU) over batches: mean loss, accuracy and top-k accuracy. */
export async function scoreModelFile(modelPath: string, batches: Iterable<Record<string, TensorValue>>, k = 5): Promise<{ loss: number; accuracy: number; topK: number; k: number; count: number }> {
  const session = await modelSession(modelPath);
  const inputName = session.inputNames[0]!;
  const acc = accuracy();
  const top = topK(k);
  let lossSum = 0;
  let count = 0;
  try {
    for (const b of batches) {
      const x = Object.entries(b).find(([name]) => name !== 'labels')![1];
      const logits = classScores(await session.run({ [inputName]: x }), modelPath, b.labels!.dims[0]!);
      lossSum += crossEntropySum(logits, b.labels!);
      acc.update(logits, b.labels!);
      top.update(logits, b.labels!);
      count += b.labels!.dims[0]!;
    }
  } finally {
    await session.release();
  }
  return { loss: lossSum / count, accuracy: acc.compute(), topK: top.compute(), k, count };
}
