import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { augmentImage } from './augment-image.js';
import { augmentRandom } from './augment-random.js';
import { AugmentedImages, type AugmentedBatch } from './augmented-images.js';
import { AugmentError } from './augment-error.js';
import { decodePixels } from './decode-pixels.js';
import { normalizePixels } from './normalize.js';
import { resizedCrop } from './random-resized-crop.js';

const size: [number, number] = [12, 16];
const preprocess = { size, mean: [0.5], std: [0.25] };
const augment = { crop: { scale: [0.3, 1] as [number, number] }, flip: 0.5, rotate: 15, jitter: { brightness: 0.3, contrast: 0.3, saturation: 0.3, hue: 0.05 } };
let sources: Uint8Array[];
const labels = [0, 1, 2, 0, 1, 2, 0];

beforeAll(async () => {
  // small PNGs with distinct colour gradients
  sources = await Promise.all(
    labels.map((_, k) => {
      const [w, h] = [20 + k, 18];
      const raw = Buffer.alloc(w * h * 3);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([(x * 12 + k * 30) % 256, (y * 14) % 256, (k * 37 + x * y) % 256], (y * w + x) * 3);
      return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer().then((b) => new Uint8Array(b));
    }),
  );
});

async function collect(data: AugmentedImages, epoch: number): Promise<AugmentedBatch[]> {
  const out: AugmentedBatch[] = [];
  for await (const b of data.epoch(epoch)) out.push(b);
  return out;
}

describe('AugmentedImages', () => {
  const open: AugmentedImages[] = [];
  const make = (o: Partial<Parameters<typeof AugmentedImages.create>[0]> = {}) => {
    const d = AugmentedImages.create({ sources, labels, preprocess, augment, batchSize: 3, seed: 11, ...o });
    open.push(d);
    return d;
  };
  afterAll(async () => {
    for (const d of open) await d.close();
  });

  it('gives the same batches whatever the worker count and prefetch depth, and again after a restart (resume)', async () => {
    const one = await collect(make({ workers: 1, prefetch: 1 }), 1);
    const two = await collect(make({ workers: 2, prefetch: 3 }), 1);
    const restarted = await collect(make({ workers: 2 }), 1);
    expect(one.map((b) => b.x.dims)).toEqual([[3, 3, 12, 16], [3, 3, 12, 16], [1, 3, 12, 16]]);
    for (const other of [two, restarted]) {
      other.forEach((b, i) => {
        expect(b.x.data).toEqual(one[i]!.x.data);
        expect(b.labels.data).toEqual(one[i]!.labels.data);
      });
    }
    // a resume inside the epoch: batches from 1 on are those of the uninterrupted epoch
    const tail: AugmentedBatch[] = [];
    for await (const b of make({ workers: 1 }).epoch(1, { from: 1 })) tail.push(b);
    expect(tail.map((b) => b.x.data)).toEqual(one.slice(1).map((b) => b.x.data));
    const epoch2 = await collect(make(), 2);
    expect(epoch2[0]!.x.data).not.toEqual(one[0]!.x.data);
  });

  it('starts the next epoch while the last batches of one are read, and those batches are the ones that epoch gives', async () => {
    const warmOf = (d: AugmentedImages) => (d as unknown as { warm?: { epoch: number; batches: unknown[] } }).warm;
    const data = make({ workers: 1, prefetch: 2 });
    const first = await collect(data, 1);
    expect(warmOf(data)?.epoch).toBe(2);
    expect(warmOf(data)?.batches).toHaveLength(2); // the room the last batches left
    const second = await collect(data, 2);
    const fresh = await collect(make({ workers: 2 }), 2);
    expect(second.map((b) => b.x.data)).toEqual(fresh.map((b) => b.x.data));
    expect(second.map((b) => Array.from(b.indices))).toEqual(fresh.map((b) => Array.from(b.indices)));
    expect(second[0]!.x.data).not.toEqual(first[0]!.x.data);
    // another epoch, or the same one from a later batch (a resume), drops the early batches
    expect(warmOf(data)?.epoch).toBe(3);
    const other = await collect(data, 5);
    expect(other.map((b) => b.x.data)).toEqual((await collect(make(), 5)).map((b) => b.x.data));
    const tail: AugmentedBatch[] = [];
    for await (const b of data.epoch(6, { from: 1 })) tail.push(b);
    expect(tail.map((b) => b.x.data)).toEqual((await collect(make(), 6)).slice(1).map((b) => b.x.data));
  });

  it('computes in its workers exactly what the library functions compute for (seed, epoch, index)', async () => {
    const [first] = await collect(make({ workers: 2 }), 0);
    const index = first!.indices[1]!;
    const img = await decodePixels(sources[index]!, 3, 18);
    const expected = normalizePixels(augmentImage(img, size, augment, augmentRandom(11, 0, index)), [0.5], [0.25]);
    expect(first!.x.data.subarray(3 * 12 * 16, 6 * 12 * 16)).toEqual(expected);
    expect(Number((first!.labels.data as BigInt64Array)[1])).toBe(labels[index]);
  });

  it('without augmentation only resizes; with mixing the labels are soft targets', async () => {
    const [plain] = await collect(make({ augment: undefined, shuffle: false }), 0);
    const img = await decodePixels(sources[0]!, 3, 18);
    const resized = normalizePixels(resizedCrop(img, { top: 0, left: 0, height: img.height, width: img.width }, size), [0.5], [0.25]);
    expect(plain!.x.data.subarray(0, resized.length)).toEqual(resized);
    const [mixed] = await collect(make({ mix: { mixup: 0.4, classes: 3 } }), 0);
    expect(mixed!.labels.dims).toEqual([3, 3]);
    const t = mixed!.labels.data as Float32Array;
    for (let i = 0; i < 3; i++) expect(t[3 * i]! + t[3 * i + 1]! + t[3 * i + 2]!).toBeCloseTo(1, 6);
  });

  it('inverts after augmenting when the preprocessing inverts, as the sharp pipeline does', async () => {
    const [plain] = await collect(make({ shuffle: false, preprocess: { size, mean: [0], std: [1] } }), 0);
    const [inverted] = await collect(make({ shuffle: false, preprocess: { size, mean: [0], std: [1], invert: true } }), 0);
    const a = plain!.x.data as Float32Array;
    const b = inverted!.x.data as Float32Array;
    for (let i = 0; i < a.length; i += 97) expect(b[i]).toBeCloseTo(1 - a[i]!, 6);
  });

  it('rejects bad options with the option named, and reports undecodable images', async () => {
    expect(() => make({ augment: { flip: 2 } })).toThrow(/flip: 2 is not a probability/);
    expect(() => make({ augment: { crop: { scale: [0, 2] } } })).toThrow(/option crop\.scale: \[0,2\] must satisfy 0 < min <= max <= 1/);
    expect(() => make({ augment: { flop: 1 } as never })).toThrow(/option flop: unknown option; the options are crop, flip, rotate, rotateFill, jitter/);
    expect(() => make({ preprocess: { ...preprocess, fit: 'contain' } })).toThrow(/preprocess\.fit: .*fit 'contain' \(letterboxing\) is not applied/);
    expect(() => make({ labels: [0] })).toThrow(AugmentError);
    const broken = make({ sources: [new Uint8Array([1, 2, 3])], labels: [0] });
    await expect(collect(broken, 0)).rejects.toThrow(/cannot decode image/);
  });
});
