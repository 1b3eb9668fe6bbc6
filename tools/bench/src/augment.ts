// `npm run bench augment`: throughput of @anneal/transfer's AugmentedImages (decode + random resized
// crop + flip + rotation + colour jitter + normalize, in worker threads) against what a training
// step consumes. Synthetic 500x375 JPEGs; 224x224 output, batch 16.
//  1. the loader alone, 1 and 2 workers: images/s;
//  2. W6 (mobilenet_v3_small full fine-tune, bench cache model) stepping on one fixed batch vs on the
//     loader's batches (1 worker, prefetch 2): images/s of training, so the cost of preparing batches
//     on the same 2 cores shows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '@anneal/data';
import { prepareModel } from '@anneal/engine';
import { AugmentedImages, type AugmentOptions } from '@anneal/transfer';
import { ensureVisionModel } from './vision-models.js';
import { visionSession } from './vision-session.js';

const COUNT = 96;
const BATCH = 16;
const preprocess = { size: [224, 224] as [number, number], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const augment: AugmentOptions = { crop: {}, flip: 0.5, rotate: 10, jitter: { brightness: 0.3, contrast: 0.3, saturation: 0.3, hue: 0.05 } };

async function writeImages(dir: string): Promise<string[]> {
  const rand = seededRandom(5);
  const [w, h] = [500, 375];
  const files: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const raw = Buffer.alloc(w * h * 3);
    const [a, b, c] = [rand() * 255, rand() * 255, rand() * 255];
    for (let p = 0; p < w * h; p++) raw.set([(a + (p % w)) % 256, (b + p / w) % 256, (c + rand() * 64) % 256], p * 3);
    const file = join(dir, `${i}.jpg`);
    writeFileSync(file, await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
    files.push(file);
  }
  return files;
}

export async function runAugmentBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-augment-'));
  try {
    const files = await writeImages(dir);
    const labels = files.map((_, i) => i % 10);
    for (const workers of [1, 2]) {
      const data = AugmentedImages.create({ sources: files, labels, preprocess, augment, batchSize: BATCH, seed: 1, workers, prefetch: 4 });
      for await (const _ of data.epoch(0)); // warm-up: worker start-up, sharp's first decode
      const t = performance.now();
      for await (const _ of data.epoch(1));
      const s = (performance.now() - t) / 1000;
      await data.close();
      console.log(`augment loader alone, ${workers} worker${workers > 1 ? 's' : ''}: ${(COUNT / s).toFixed(0)} images/s (${COUNT} 500x375 JPEGs -> 224x224, crop+flip+rotate+jitter)`);
    }
    const loader = AugmentedImages.create({ sources: files, labels, preprocess, augment, batchSize: BATCH, seed: 1, workers: 1, prefetch: 2 });
    const first = (await loader.epoch(0).next()).value!;
    const fixed = { x: first.x, labels: first.labels };
    const session = await visionSession('W6', prepareModel(ensureVisionModel('mobilenet_v3_small')).model, fixed);
    await session.step(fixed);
    const steps = COUNT / BATCH;
    let t = performance.now();
    for (let i = 0; i < steps; i++) await session.step(fixed);
    const alone = (COUNT / (performance.now() - t)) * 1000;
    t = performance.now();
    for await (const b of loader.epoch(1)) await session.step({ x: b.x, labels: b.labels });
    const fed = (COUNT / (performance.now() - t)) * 1000;
    await loader.close();
    await session.release();
    console.log(`W6 training on one fixed batch: ${alone.toFixed(1)} images/s; fed by the augment loader (1 worker): ${fed.toFixed(1)} images/s (${((fed / alone) * 100).toFixed(0)}%)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
