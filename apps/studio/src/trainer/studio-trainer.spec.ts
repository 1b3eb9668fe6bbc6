// The training core the page's worker runs, here under Node on onnxruntime-node: a resumed run
// continues exactly where the checkpoint left it, and the exported model.onnx gives plain
// onnxruntime the trainer's own predictions.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ocrModels } from '@anneal/testing';
import { preprocessImage } from '@anneal/transfer';
import { DEFAULT_BACKBONE } from '../default-backbone.js';
import { digitPng, mnistDigits } from '../testing/digits.js';
import { DEFAULT_SETTINGS, type StudioRun } from './run-config.js';
import { decodeCheckpoint } from './studio-checkpoint.js';
import { StudioTrainer } from './studio-trainer.js';

const classes = [0, 1, 7];
const perClass = 10;

async function images(from: number, count: number) {
  const p = DEFAULT_BACKBONE.preprocess;
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (const [label, d] of classes.entries()) {
    for (const g of mnistDigits(d, from, count)) {
      rows.push(await preprocessImage(await digitPng(g), p));
      labels.push(label);
    }
  }
  const x = new Float32Array(rows.length * rows[0]!.length);
  rows.forEach((r, i) => x.set(r, i * r.length));
  return { x, dims: [3, 48, 192], labels };
}

describe('StudioTrainer (Node, onnxruntime-node)', () => {
  it('resumes a checkpoint exactly, and exports a model.onnx that plain onnxruntime runs to the same predictions', async () => {
    const bytes = readFileSync(ocrModels.classifier);
    const run: StudioRun = { classes: classes.map(String), preprocess: DEFAULT_BACKBONE.preprocess, settings: { ...DEFAULT_SETTINGS, epochs: 3, batchSize: 8 } };
    const data = await images(0, perClass);
    const base = { backbone: { bytes, name: 'cls' }, run, images: data, dataKey: 'k', device: 'cpu' as const };
    const whole = await StudioTrainer.create(base);
    expect(whole.sizes).toEqual({ train: 24, val: 6 });
    const checkpoints: Uint8Array[] = [];
    expect(await whole.train({ onCheckpoint: (b) => void checkpoints.push(b) })).toBe('finished');
    expect(checkpoints).toHaveLength(3);
    const epochs = whole.history.epochs;
    expect(epochs.at(-1)!.trainLoss).toBeLessThan(epochs[0]!.trainLoss);

    const resume = decodeCheckpoint(checkpoints[1]!);
    expect(resume.meta).toMatchObject({ epoch: 2, step: 6, data: 'k' });
    const resumed = await StudioTrainer.create({ ...base, resume });
    let stops = 0;
    expect(await resumed.train({ shouldStop: () => ++stops === 2 })).toBe('cancelled');
    expect(resumed.progress).toMatchObject({ epoch: 2 }); // the interrupted epoch is not kept...
    await resumed.release();
    const again = await StudioTrainer.create({ ...base, resume }); // ...and runs again from the checkpoint
    expect(await again.train()).toBe('finished');
    const last = again.history.epochs.at(-1)!;
    expect(again.history.epochs).toHaveLength(3);
    expect(last.trainLoss).toBeCloseTo(epochs[2]!.trainLoss, 5);
    expect(again.history.batches.map((b) => b.loss)).toEqual(whole.history.batches.map((b) => expect.closeTo(b.loss, 5)));

    const test = await images(100, 4);
    const probs = await whole.predict(test.x, 12);
    const model = await whole.exportModel();
    const session = await ort.InferenceSession.create(model);
    const out = await session.run({ [whole.info.input.name]: new ort.Tensor('float32', test.x, [12, 3, 48, 192]) });
    const logits = out.logits!.data as Float32Array;
    probs.forEach((row, i) => {
      const z = Array.from(logits.subarray(i * 3, i * 3 + 3));
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      row.forEach((p, j) => expect(p).toBeCloseTo(e[j]! / e.reduce((a, b) => a + b, 0), 5));
    });
    const hits = probs.filter((row, i) => row.indexOf(Math.max(...row)) === test.labels[i]).length;
    console.log(`held-out accuracy after 3 epochs on 8 images per class: ${hits}/12; epochs: ${epochs.map((e) => `${e.trainLoss.toFixed(3)}/${e.trainAccuracy.toFixed(2)}/${e.valAccuracy?.toFixed(2)} ${e.imagesPerSecond.toFixed(0)} img/s`).join(', ')}`);
    await session.release();
    await whole.release();
    await again.release();
  });
});
