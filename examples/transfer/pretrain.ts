// Step 1: pre-train a small CNN on digits 0-4 with Anneal, export the inference model, and load
// it back as a backbone (cut automatically at its penultimate tensor).
import { join } from 'node:path';
import { buildCnn, TrainSession } from '@anneal/engine';
import { saveModel } from '@anneal/onnx';
import { adam } from '@anneal/optim';
import { loadBackbone, type Backbone } from '@anneal/transfer';
import type { TransferData } from './data.js';
import { accuracyOn, fit, loader, sampleBatch } from './train.js';

/** The CNN of examples/mnist-cnn.yaml: two conv blocks (16, 32 channels) with BatchNorm, a 128-unit hidden layer. */
export const CNN = { channels: [16, 32], hidden: [128], batchNorm: true } as const;

/** Pre-training recipe (fixed, not tuned on the new task). */
export const PRETRAIN = { epochs: 4, batchSize: 32, lr: 2e-3, seed: 0, threads: 2 } as const;

/** What pre-training produced. */
export interface Pretrained {
  file: string;
  backbone: Backbone;
  /** Accuracy on the held-out 10% of digits 0-4 after each epoch, and at the end. */
  valAccuracy: number[];
  finalValAccuracy: number;
  trainExamples: number;
  steps: number;
  seconds: number;
}

/**
 * Trains the CNN on digits 0-4 (BatchNorm in train mode), exports the inference model (BatchNorm
 * with its running statistics) to `<out>/pretrained-0to4.onnx` and loads it as a backbone.
 */
export async function pretrain(data: TransferData, out: string, log: (line: string) => void): Promise<Pretrained> {
  const model = buildCnn({ ...CNN, input: [1, 28, 28], classes: 5, seed: PRETRAIN.seed });
  const session = await TrainSession.create({
    model,
    loss: { kind: 'cross-entropy' },
    optimizer: { optimizer: adam(), lr: PRETRAIN.lr },
    sample: sampleBatch(loader(data.pretrainTrain, 'x', PRETRAIN.batchSize)),
    batchNorm: 'train',
    intraOpThreads: PRETRAIN.threads,
  });
  const trainExamples = data.pretrainTrain.x.dims[0]!;
  const budget = { epochs: PRETRAIN.epochs, batchSize: PRETRAIN.batchSize, steps: PRETRAIN.epochs * Math.ceil(trainExamples / PRETRAIN.batchSize) };
  const outcome = await fit(session, data.pretrainTrain, {
    inputName: 'x',
    budget,
    lr: PRETRAIN.lr,
    seed: PRETRAIN.seed,
    val: data.pretrainVal,
    onEpoch: (e, acc) => log(`  pre-train epoch ${e}/${budget.epochs}: held-out accuracy ${((acc ?? NaN) * 100).toFixed(2)}%`),
  });
  const finalValAccuracy = await accuracyOn(session, data.pretrainVal, 'x');
  const file = join(out, 'pretrained-0to4.onnx');
  saveModel(file, await session.exportInference(model));
  await session.release();
  const backbone = loadBackbone(file);
  return { file, backbone, valAccuracy: outcome.valAccuracy, finalValAccuracy, trainExamples, steps: outcome.steps, seconds: outcome.seconds };
}
