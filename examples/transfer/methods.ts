// Step 2: the three ways of learning digits 5-9 from a few examples per class.
import type { ArrayDataset } from '@anneal/data';
import { buildCnn, TrainSession } from '@anneal/engine';
import { adam } from '@anneal/optim';
import { buildHead, createFineTuneSession, type Backbone } from '@anneal/transfer';
import { CNN } from './pretrain.js';
import { accuracyOn, fit, loader, sampleBatch, type Budget } from './train.js';

/** The methods compared, in table order. */
export const METHODS = ['scratch', 'features + head', 'conv features + head', 'fine-tune'] as const;
export type Method = (typeof METHODS)[number];

/**
 * Fixed hyperparameters per method, chosen before looking at the new task's test set (Adam,
 * cosine decay to 0 over the budget, no weight decay).
 * - scratch: the pre-training recipe (Adam 2e-3), BatchNorm in train mode, 2 threads.
 * - features + head: a linear head on the frozen backbone's features at the automatic cut (the
 *   128-d penultimate layer), Adam 1e-2 (a single Gemm tolerates a large step), 1 thread (tiny graph).
 * - conv features + head: the same head on the next-ranked candidate, the flattened output of the
 *   last conv block (1568-d): lower layers are usually less specific to the pre-training classes.
 * - fine-tune: the pre-trained CNN + a new linear head, every tensor trained, Adam 5e-4 (4x
 *   lower than scratch, so the pre-trained weights move little), BatchNorm frozen, 2 threads.
 */
export const HYPERPARAMETERS: Record<Method, { lr: number; threads: number; batchNorm: 'train' | 'frozen' | 'none' }> = {
  scratch: { lr: 2e-3, threads: 2, batchNorm: 'train' },
  'features + head': { lr: 1e-2, threads: 1, batchNorm: 'none' },
  'conv features + head': { lr: 1e-2, threads: 1, batchNorm: 'none' },
  'fine-tune': { lr: 5e-4, threads: 2, batchNorm: 'frozen' },
};

/** One (method, n, seed) run. */
export interface MethodRun {
  method: Method;
  perClass: number;
  seed: number;
  accuracy: number;
  /** Session compile + training (features + head: the head only; the features were extracted once). */
  seconds: number;
  steps: number;
  epochs: number;
  finalLoss: number;
}

/** Features of one (n, seed) draw and of the test set, at one cut of the backbone. */
export interface FeatureSplit {
  train: ArrayDataset;
  test: ArrayDataset;
}

/** Images of one (n, seed) draw and the test set. */
export interface RunInputs {
  train: ArrayDataset;
  test: ArrayDataset;
  perClass: number;
  seed: number;
  budget: Budget;
}

const classes = 5;

async function finish(session: TrainSession, method: Method, inputs: RunInputs, train: ArrayDataset, test: ArrayDataset, inputName: string, started: number): Promise<MethodRun> {
  const { lr } = HYPERPARAMETERS[method];
  const outcome = await fit(session, train, { inputName, budget: inputs.budget, lr, seed: inputs.seed });
  const seconds = (performance.now() - started) / 1000;
  const accuracy = await accuracyOn(session, test, inputName);
  await session.release();
  return { method, perClass: inputs.perClass, seed: inputs.seed, accuracy, seconds, steps: outcome.steps, epochs: inputs.budget.epochs, finalLoss: outcome.finalLoss };
}

/** (1) The same CNN, fresh seeded initialization, everything trained, BatchNorm on batch statistics. */
export async function fromScratch(inputs: RunInputs): Promise<MethodRun> {
  const started = performance.now();
  const h = HYPERPARAMETERS.scratch;
  const session = await TrainSession.create({
    model: buildCnn({ ...CNN, input: [1, 28, 28], classes, seed: 100 + inputs.seed }),
    loss: { kind: 'cross-entropy' },
    optimizer: { optimizer: adam(), lr: h.lr },
    sample: sampleBatch(loader(inputs.train, 'x', inputs.budget.batchSize)),
    batchNorm: 'train',
    intraOpThreads: h.threads,
  });
  return finish(session, 'scratch', inputs, inputs.train, inputs.test, 'x', started);
}

/** (2) A new linear head trained on the frozen backbone's cached features (at one cut). */
export async function featuresAndHead(inputs: RunInputs, features: FeatureSplit, method: 'features + head' | 'conv features + head'): Promise<MethodRun> {
  const started = performance.now();
  const h = HYPERPARAMETERS[method];
  const session = await TrainSession.create({
    model: buildHead({ inputDim: features.train.x.dims[1]!, classes, seed: inputs.seed }),
    loss: { kind: 'cross-entropy' },
    optimizer: { optimizer: adam(), lr: h.lr },
    sample: sampleBatch(loader(features.train, 'features', inputs.budget.batchSize)),
    intraOpThreads: h.threads,
  });
  return finish(session, method, inputs, features.train, features.test, 'features', started);
}

/** (3) Full fine-tuning: pre-trained backbone + a new linear head, every tensor trained, BatchNorm frozen. */
export async function fineTune(inputs: RunInputs, backbone: Backbone): Promise<MethodRun> {
  const started = performance.now();
  const h = HYPERPARAMETERS['fine-tune'];
  const ft = await createFineTuneSession({
    backbone,
    head: buildHead({ inputDim: backbone.featureDim!, classes, seed: inputs.seed }),
    optimizer: { optimizer: adam(), lr: h.lr },
    loss: { kind: 'cross-entropy' },
    sample: sampleBatch(loader(inputs.train, backbone.input.name, inputs.budget.batchSize)),
    batchNorm: 'frozen',
    intraOpThreads: h.threads,
  });
  return finish(ft.session, 'fine-tune', inputs, inputs.train, inputs.test, backbone.input.name, started);
}
