import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type ArrayDataset } from '@anneal/data';
import { DataType } from '@anneal/onnx';
import { ImageDecodeError, ImageFolderError } from './image-errors.js';
import { forEachConcurrent, loadImageFolder, preprocessDataset } from './image-folder.js';
import { preprocessPixels } from './preprocess.js';

let root = '';

/** Number of positions where two equally long arrays differ (fast to assert on big arrays). */
function differences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'anneal-image-folder-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a solid gray-level image (PNG or JPEG, RGB or gray) of the given size. */
async function writeSolid(file: string, level: number, width: number, height: number, gray = false): Promise<void> {
  let img = sharp({ create: { width, height, channels: 3, background: { r: level, g: level, b: level } } });
  if (gray) img = img.toColourspace('b-w');
  const bytes = await (file.endsWith('.png') ? img.png() : img.jpeg({ quality: 100 })).toBuffer();
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, bytes);
}

describe('loadImageFolder', () => {
  it('sorts classes and files, labels by class, reads PNG/JPEG of any size and skips other files', async () => {
    const dir = join(root, 'pets');
    await writeSolid(join(dir, 'dog', 'b.jpg'), 160, 20, 10);
    await writeSolid(join(dir, 'dog', 'a.png'), 150, 5, 5, true);
    await writeSolid(join(dir, 'cat', 'z.png'), 100, 12, 30);
    await writeSolid(join(dir, 'cat', 'y.JPEG'), 110, 9, 9);
    await writeSolid(join(dir, 'cat', 'x.png'), 120, 40, 40, true);
    await writeSolid(join(dir, 'ant', 'sub', 'deep.png'), 20, 8, 8);
    await writeFile(join(dir, 'ant', 'notes.txt'), 'not an image');
    await writeFile(join(dir, 'ant', '.hidden.png'), 'hidden');
    await writeFile(join(dir, 'README.md'), 'top-level files are not classes');
    const progress: number[] = [];
    const { dataset, classes, files } = await loadImageFolder(dir, { size: [6, 6] }, { onProgress: (d, n) => progress.push(d / n) });
    expect(classes).toEqual(['ant', 'cat', 'dog']);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['ant/sub/deep.png', 'cat/x.png', 'cat/y.JPEG', 'cat/z.png', 'dog/a.png', 'dog/b.jpg']);
    expect(Array.from(dataset.y.data as BigInt64Array)).toEqual([0n, 1n, 1n, 1n, 2n, 2n]);
    expect(dataset.y.dataType).toBe(DataType.INT64);
    expect(dataset.x.dims).toEqual([6, 3, 6, 6]);
    const x = dataset.x.data as Float32Array;
    [20, 120, 110, 100, 150, 160].forEach((level, i) => {
      for (let k = 0; k < 108; k++) expect(Math.abs(x[i * 108 + k]! * 255 - level)).toBeLessThan(1.5);
    });
    expect(progress).toHaveLength(6);
    expect(progress.at(-1)).toBe(1);
    const png = await loadImageFolder(dir, { size: [6, 6] }, { extensions: ['png'], concurrency: 1 });
    expect(png.files.map((f) => f.slice(dir.length + 1))).toEqual(['ant/sub/deep.png', 'cat/x.png', 'cat/z.png', 'dog/a.png']);
    expect(png.dataset.x.data.subarray(108, 216)).toEqual(x.subarray(108, 216));
  });

  it('gives the same result whatever the concurrency', async () => {
    const dir = join(root, 'many');
    for (let i = 0; i < 12; i++) await writeSolid(join(dir, i % 2 ? 'odd' : 'even', `${String(i).padStart(2, '0')}.png`), i * 20, 3 + i, 4);
    const one = await loadImageFolder(dir, { size: [4, 4], channels: 1 }, { concurrency: 1 });
    const eight = await loadImageFolder(dir, { size: [4, 4], channels: 1 }, { concurrency: 8 });
    expect(eight.dataset.x.data).toEqual(one.dataset.x.data);
    expect(eight.files).toEqual(one.files);
    expect(Math.round((one.dataset.x.data as Float32Array)[16]! * 255)).toBe(40); // even/02.png is the second example
  });

  it('raises ImageDecodeError with the path of a corrupt .png and of a truncated .jpg', async () => {
    const corrupt = join(root, 'corrupt');
    await writeSolid(join(corrupt, 'a', 'ok.png'), 50, 4, 4);
    const bad = join(corrupt, 'a', 'random.png');
    await writeFile(bad, Uint8Array.from({ length: 500 }, (_, i) => (i * 131 + 7) % 256));
    const err = await loadImageFolder(corrupt, { size: [4, 4] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as ImageDecodeError).file).toBe(bad);
    expect((err as Error).message).toMatch(/Remove or replace the file/);

    const truncated = join(root, 'truncated');
    const texture = Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 2654435761) >>> 24);
    const jpeg = await sharp(texture, { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
    await writeSolid(join(truncated, 'a', 'ok.jpg'), 50, 4, 4);
    const cut = join(truncated, 'b', 'cut.jpg');
    await mkdir(join(truncated, 'b'));
    await writeFile(cut, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    await expect(loadImageFolder(truncated, { size: [4, 4] })).rejects.toSatisfy((e) => e instanceof ImageDecodeError && e.file === cut && e.message.includes(cut));
  });

  it('raises ImageFolderError for a missing dir, no class folders, an empty class and unknown extensions', async () => {
    const fails = async (dir: string, pattern: RegExp, extensions?: string[]) => {
      const err = await loadImageFolder(dir, { size: [4, 4] }, { extensions }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageFolderError);
      expect((err as Error).message).toMatch(pattern);
      return err as ImageFolderError;
    };
    await fails(join(root, 'nope'), /nope: folder not found/);
    const flat = join(root, 'flat');
    await writeSolid(join(flat, 'a.png'), 1, 2, 2);
    await fails(flat, /no class sub-folders/);
    const empty = join(root, 'with-empty');
    await writeSolid(join(empty, 'full', 'a.png'), 1, 2, 2);
    await mkdir(join(empty, 'void'));
    expect((await fails(empty, /class 'void' has no images/)).dir).toBe(join(empty, 'void'));
    await fails(empty, /unknown image extension '\.bmp'/, ['.png', '.bmp']);
  });
});

describe('preprocessDataset', () => {
  const mnist = loadMnist({ perDigit: 2, image: true });
  const p = { size: [48, 192] as [number, number], fit: 'contain' as const, position: 'left' as const, mean: [0.5], std: [0.5] };
  let out: ArrayDataset;
  beforeAll(async () => {
    out = await preprocessDataset(mnist, p);
  });

  it('maps 20 MNIST digits to [20, 3, 48, 192] with padding on the right and the stroke kept', () => {
    expect(out.x.dims).toEqual([20, 3, 48, 192]);
    expect(out.y).toBe(mnist.y);
    const x = out.x.data as Float32Array;
    const src = mnist.x.data as Float32Array;
    const plane = 48 * 192;
    for (let i = 0; i < 20; i++) {
      let notBackground = 0;
      for (let c = 0; c < 3; c++) {
        for (let r = 0; r < 48; r++) for (let col = 48; col < 192; col++) if (x[i * 3 * plane + c * plane + r * 192 + col] !== -1) notBackground++;
        if (c > 0) expect(differences(x.subarray(i * 3 * plane + c * plane, i * 3 * plane + (c + 1) * plane), x.subarray(i * 3 * plane, i * 3 * plane + plane))).toBe(0);
      }
      expect(notBackground).toBe(0);
      // the digit fills the left 48x48: its centre carries the stroke, and the mean intensity is kept by resizing
      let centreMax = -1;
      let sum = 0;
      for (let r = 0; r < 48; r++) for (let col = 0; col < 48; col++) {
        const v = x[i * 3 * plane + r * 192 + col]! * 0.5 + 0.5;
        sum += v;
        if (r >= 12 && r < 36 && col >= 12 && col < 36) centreMax = Math.max(centreMax, v);
      }
      const digit = src.subarray(i * 784, (i + 1) * 784);
      const srcMean = digit.reduce((a, b) => a + b, 0) / 784;
      expect(centreMax).toBeGreaterThan(0.9);
      expect(Math.abs(sum / (48 * 48) - srcMean)).toBeLessThan(0.02);
    }
  });

  it('equals preprocessPixels per example, and flat [N, 784] input gives the same', async () => {
    const seven = await preprocessPixels((mnist.x.data as Float32Array).subarray(14 * 784, 15 * 784), [28, 28], p);
    expect(differences((out.x.data as Float32Array).subarray(14 * seven.length, 15 * seven.length), seven)).toBe(0);
    const flat = await preprocessDataset({ x: { ...mnist.x, dims: [20, 784] }, y: mnist.y }, p, { concurrency: 3 });
    expect(differences(flat.x.data as Float32Array, out.x.data as Float32Array)).toBe(0);
  });

  it('rejects x that is not a stack of images', async () => {
    await expect(preprocessDataset({ x: { ...mnist.x, dims: [20, 28, 14] }, y: mnist.y }, p)).rejects.toThrow(/has 15680 values/);
    await expect(preprocessDataset({ x: { ...mnist.x, dims: [20, 2, 14, 28] }, y: mnist.y }, p)).rejects.toThrow(/preprocessDataset x: expected dims/);
    await expect(preprocessDataset({ x: { ...mnist.x, dims: [20, 783] }, y: mnist.y }, p)).rejects.toThrow(/flat squares/);
  });
});

describe('forEachConcurrent', () => {
  it('bounds the tasks in flight, reports progress, and rethrows the lowest failing index after stopping', async () => {
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const seen: number[] = [];
    const task = async (i: number) => {
      started.push(i);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, i === 3 ? 5 : 1));
      inFlight--;
      if (i === 3 || i === 4) throw new Error(`task ${i}`);
    };
    await expect(forEachConcurrent(40, task, { concurrency: 3, onProgress: (d) => seen.push(d) })).rejects.toThrow('task 3');
    expect(peak).toBe(3);
    expect(started.length).toBeLessThan(12);
    expect(seen).toEqual(seen.map((_, k) => k + 1));
    await expect(forEachConcurrent(2, task, { concurrency: 0 })).rejects.toThrow(/concurrency/);
  });
});
