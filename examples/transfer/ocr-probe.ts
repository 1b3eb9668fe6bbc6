// Step 3: a linear probe on the PaddleOCR text-direction classifier's features for all ten MNIST
// digits, next to a linear model on the raw pixels of the same images.
import { join } from 'node:path';
import { TrainSession } from '@anneal/engine';
import { adam } from '@anneal/optim';
import { ocrModels } from '@anneal/testing';
import { buildHead, describePreprocess, extractFeatures, featureStatistics, loadBackbone, preprocessDataset, type ImagePreprocess } from '@anneal/transfer';
import type { ArrayDataset } from '@anneal/data';
import { flatPixels, probeData } from './data.js';
import { accuracyOn, budgetFor, fit, loader, sampleBatch } from './train.js';

/** MNIST digits as PaddleOCR text lines: 3x48x192, digit on the left, dark on light, scaled to [-1, 1]. */
export const OCR_PREPROCESS: ImagePreprocess = { size: [48, 192], channels: 3, fit: 'contain', position: 'left', background: 0, invert: true, mean: [0.5], std: [0.5] };

/**
 * Probe settings: 200 train / 100 test images per digit; every linear head trains with Adam 1e-2,
 * 20 epochs, batch 64, cosine decay, on raw inputs and on inputs z-scored with training statistics.
 */
export const PROBE = { trainPerClass: 200, testPerClass: 100, seed: 0, lr: 1e-2, epochs: 20, batchSize: 64 } as const;

/** Results of the probe and its pixel baseline. */
export interface ProbeResult {
  model: string;
  cutAt: string;
  featureDim: number;
  trainExamples: number;
  testExamples: number;
  preprocessSeconds: number;
  /** Feature extraction of train + test (0 when both came from the cache). */
  extractSeconds: number;
  imagesPerSecond: number;
  fromCache: boolean;
  /** Linear heads: on the OCR features and on the raw pixels, each unscaled and standardized. */
  heads: ProbeHead[];
}

/** One linear head of the probe. */
export interface ProbeHead {
  input: 'OCR features' | 'pixels';
  scaling: 'raw' | 'standardized';
  accuracy: number;
  trainAccuracy: number;
  /** Session compile + training. */
  seconds: number;
  steps: number;
}

async function linearProbe(input: ProbeHead['input'], scaling: ProbeHead['scaling'], rawTrain: ArrayDataset, rawTest: ArrayDataset, inputName: string): Promise<ProbeHead> {
  const started = performance.now();
  const [train, test] = [rawTrain, rawTest];
  const width = train.x.dims[1]!;
  // standardized: the head computes (x - mean) / scale with training-set statistics (constants in the model)
  const standardize = scaling === 'standardized' ? featureStatistics(train.x) : undefined;
  const budget = budgetFor(train.x.dims[0]!, { batchSize: PROBE.batchSize, minEpochs: PROBE.epochs, minSteps: 0 });
  const session = await TrainSession.create({
    model: buildHead({ inputDim: width, classes: 10, seed: PROBE.seed, inputName, standardize }),
    loss: { kind: 'cross-entropy' },
    optimizer: { optimizer: adam(), lr: PROBE.lr },
    sample: sampleBatch(loader(train, inputName, budget.batchSize)),
    intraOpThreads: 1,
  });
  const outcome = await fit(session, train, { inputName, budget, lr: PROBE.lr, seed: PROBE.seed });
  const seconds = (performance.now() - started) / 1000;
  const accuracy = await accuracyOn(session, test, inputName);
  const trainAccuracy = await accuracyOn(session, train, inputName);
  await session.release();
  return { input, scaling, accuracy, trainAccuracy, seconds, steps: outcome.steps };
}

/** Runs the probe (features cached under `<out>/features`) and the pixel baseline on the same split. */
export async function ocrProbe(out: string, log: (line: string) => void): Promise<ProbeResult> {
  const { train, test } = probeData(PROBE.trainPerClass, PROBE.testPerClass, PROBE.seed);
  const backbone = loadBackbone(ocrModels.classifier);
  log(`  PaddleOCR classifier: cut at '${backbone.cutAt}' (${backbone.featureDim}-d, pool ${backbone.pool}), opset ${backbone.opset.from} -> ${backbone.opset.to}`);
  const t0 = performance.now();
  const [trainImages, testImages] = [await preprocessDataset(train, OCR_PREPROCESS), await preprocessDataset(test, OCR_PREPROCESS)];
  const preprocessSeconds = (performance.now() - t0) / 1000;
  log(`  preprocessed ${train.x.dims[0]! + test.x.dims[0]!} digits to ${trainImages.x.dims.slice(1).join('x')} in ${preprocessSeconds.toFixed(1)} s`);
  const options = { cache: join(out, 'features'), preprocess: describePreprocess(OCR_PREPROCESS), batchSize: 64, threads: 2 };
  const trainFeatures = await extractFeatures(backbone, trainImages, options);
  const testFeatures = await extractFeatures(backbone, testImages, options);
  const fromCache = trainFeatures.fromCache && testFeatures.fromCache;
  const computed = [trainFeatures, testFeatures].filter((f) => !f.fromCache);
  const extractSeconds = computed.reduce((a, f) => a + f.seconds, 0);
  const extractedImages = computed.reduce((a, f) => a + f.dataset.x.dims[0]!, 0);
  const imagesPerSecond = computed.length ? extractedImages / computed.reduce((a, f) => a + f.dataset.x.dims[0]! / f.examplesPerSecond, 0) : 0;
  log(fromCache ? `  features from the cache (${trainFeatures.path})` : `  extracted ${extractedImages} feature vectors in ${extractSeconds.toFixed(1)} s (${imagesPerSecond.toFixed(0)} images/s, 2 threads)`);
  const heads: ProbeHead[] = [];
  for (const scaling of ['raw', 'standardized'] as const) {
    heads.push(await linearProbe('OCR features', scaling, trainFeatures.dataset, testFeatures.dataset, 'features'));
    heads.push(await linearProbe('pixels', scaling, flatPixels(train), flatPixels(test), 'x'));
  }
  for (const h of heads) log(`  linear head on ${h.input === 'pixels' ? 'the 784 raw pixels' : `the ${backbone.featureDim}-d OCR features`} (${h.scaling}): test accuracy ${(h.accuracy * 100).toFixed(2)}% (train ${(h.trainAccuracy * 100).toFixed(1)}%), trained in ${h.seconds.toFixed(2)} s`);
  return {
    model: ocrModels.classifier,
    cutAt: backbone.cutAt,
    featureDim: backbone.featureDim ?? trainFeatures.dataset.x.dims[1]!,
    trainExamples: train.x.dims[0]!,
    testExamples: test.x.dims[0]!,
    preprocessSeconds,
    extractSeconds,
    imagesPerSecond,
    fromCache,
    heads,
  };
}
