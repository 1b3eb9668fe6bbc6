import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShapeMismatchError } from '../errors.js';
import { ImageDecodeError, ImagePreprocessError } from './image-errors.js';
import { describePreprocess, preprocessDims, preprocessImage, preprocessPixels } from './preprocess.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'anneal-preprocess-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A solid colour image, encoded as PNG or JPEG. */
function solid(width: number, height: number, rgb: [number, number, number], format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toBuffer();
}

/** PNG of raw interleaved bytes. */
function png(bytes: number[], width: number, height: number, channels: 1 | 3 | 4): Promise<Buffer> {
  return sharp(Uint8Array.from(bytes), { raw: { width, height, channels } }).png().toBuffer();
}

describe('preprocessImage', () => {
  it('normalizes a solid colour to the closed form (v/255 - mean) / std in every pixel', async () => {
    const file = join(dir, 'solid.png');
    await writeFile(file, await solid(10, 7, [200, 100, 50]));
    const mean = [0.5, 0.4, 0.3];
    const std = [0.2, 0.25, 0.5];
    const x = await preprocessImage(file, { size: [4, 6], mean, std });
    expect(x.length).toBe(3 * 4 * 6);
    [200, 100, 50].forEach((v, c) => {
      for (let p = 0; p < 24; p++) expect(x[c * 24 + p]).toBeCloseTo((v / 255 - mean[c]!) / std[c]!, 5);
    });
  });

  it('reads JPEG (within compression error) and replicates a gray PNG into 3 equal channels', async () => {
    const jpeg = await preprocessImage(await solid(16, 16, [30, 120, 220], 'jpeg'), { size: [8, 8] });
    [30, 120, 220].forEach((v, c) => expect(Math.abs(jpeg[c * 64 + 27]! - v / 255)).toBeLessThan(3 / 255));
    const gray = await preprocessImage(await png(Array.from({ length: 12 }, (_, i) => i * 20), 4, 3, 1), { size: [3, 4] });
    for (let p = 0; p < 12; p++) {
      expect(gray[p]).toBeCloseTo((p * 20) / 255, 6);
      expect(gray[12 + p]).toBe(gray[p]);
      expect(gray[24 + p]).toBe(gray[p]);
    }
  });

  it('makes one luminance channel with channels: 1 (white 1, black 0, gray kept)', async () => {
    const x = await preprocessImage(await png([255, 255, 255, 0, 0, 0, 90, 90, 90], 3, 1, 3), { size: [1, 3], channels: 1 });
    expect(Array.from(x).map((v) => Math.round(v * 255))).toEqual([255, 0, 90]);
  });

  it('is the identity for fill to the same size (any pattern)', async () => {
    const bytes = Array.from({ length: 8 * 5 * 3 }, (_, i) => (i * 37) % 256);
    const x = await preprocessImage(await png(bytes, 8, 5, 3), { size: [5, 8], layout: 'NHWC' });
    expect(Array.from(x, (v) => Math.round(v * 255))).toEqual(bytes);
  });

  it('lays out NHWC as the transpose of NCHW', async () => {
    const bytes = Array.from({ length: 6 * 4 * 3 }, (_, i) => (i * 53) % 256);
    const input = await png(bytes, 6, 4, 3);
    const p = { size: [3, 5] as [number, number], mean: [0.1, 0.2, 0.3], std: [0.5, 0.6, 0.7] };
    const nchw = await preprocessImage(input, p);
    const nhwc = await preprocessImage(input, { ...p, layout: 'NHWC' });
    for (let c = 0; c < 3; c++) for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) {
      expect(nhwc[(i * 5 + j) * 3 + c]).toBe(nchw[c * 15 + i * 5 + j]);
    }
  });

  it("letterboxes with 'contain': 'left' pads on the right, 'centre' on both sides, with the background level", async () => {
    const input = await solid(4, 4, [200, 200, 200]);
    const bg = Math.round(0.25 * 255) / 255;
    const left = await preprocessImage(input, { size: [4, 12], fit: 'contain', position: 'left', background: 0.25, channels: 1 });
    const centre = await preprocessImage(input, { size: [4, 12], fit: 'contain', background: 0.25, channels: 1 });
    for (let i = 0; i < 4; i++) {
      const row = (x: Float32Array) => Array.from(x.subarray(i * 12, i * 12 + 12), (v) => Math.round(v * 255));
      expect(row(left)).toEqual([200, 200, 200, 200, ...Array<number>(8).fill(bg * 255)]);
      expect(row(centre)).toEqual([...Array<number>(4).fill(bg * 255), 200, 200, 200, 200, ...Array<number>(4).fill(bg * 255)]);
    }
  });

  it("'cover' crops (a left/right split image keeps its left half with position 'left')", async () => {
    const bytes = Array.from({ length: 2 * 4 }, (_, i) => (i % 4 < 2 ? 10 : 240));
    const x = await preprocessImage(await png(bytes, 4, 2, 1), { size: [2, 2], fit: 'cover', position: 'left', channels: 1 });
    expect(Array.from(x, (v) => Math.round(v * 255))).toEqual([10, 10, 10, 10]);
  });

  it('inverts before normalizing', async () => {
    const x = await preprocessImage(await solid(3, 3, [200, 200, 200]), { size: [2, 2], invert: true, mean: [0.1], std: [0.5] });
    for (const v of x) expect(v).toBeCloseTo((1 - 200 / 255 - 0.1) / 0.5, 5);
  });

  it('flattens transparent pixels onto the background level', async () => {
    const rgba = await png([255, 0, 0, 0, 0, 0, 255, 255], 2, 1, 4); // transparent red, opaque blue
    const x = await preprocessImage(rgba, { size: [1, 2], background: 0.5, layout: 'NHWC' });
    expect(Array.from(x, (v) => Math.round(v * 255))).toEqual([128, 128, 128, 0, 0, 255]);
  });

  it('throws ImageDecodeError naming the file for random bytes and for a missing file', async () => {
    const file = join(dir, 'noise.png');
    await writeFile(file, Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) % 256));
    const err = await preprocessImage(file, { size: [8, 8] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as ImageDecodeError).file).toBe(file);
    expect((err as ImageDecodeError).message).toContain(file);
    await expect(preprocessImage(join(dir, 'absent.png'), { size: [8, 8] })).rejects.toThrow(/absent\.png: cannot decode image/);
    await expect(preprocessImage(new Uint8Array(10), { size: [8, 8] })).rejects.toThrow(/<buffer>: cannot decode image/);
  });
});

describe('resizing', () => {
  const gradient = [0, 36, 73, 109, 146, 182, 219, 255];
  const resize = async (bytes: number[], w: number, to: number) =>
    Array.from(await preprocessPixels(Float32Array.from(bytes, (v) => v / 255), [1, w], { size: [1, to], channels: 1 }), (v) => Math.round(v * 255));

  it('shrinks a 2x2 checkerboard to its mean and keeps fill to the same size exact', async () => {
    const board = Float32Array.from([0, 1, 1, 0]);
    expect(Math.round((await preprocessPixels(board, [2, 2], { size: [1, 1], channels: 1 }))[0]! * 255)).toBe(128);
    expect(Array.from(await preprocessPixels(board, [2, 2], { size: [2, 2], channels: 1 }))).toEqual([0, 1, 1, 0]);
  });

  it('shrinks a gradient monotonically and mirror-symmetrically, and enlarges it keeping the ends', async () => {
    const small = await resize(gradient, 8, 4);
    expect(small).toEqual([...small].sort((a, b) => a - b));
    small.forEach((v, k) => expect(v + small[3 - k]!).toBe(255));
    expect(small[0]! > 0 && small[3]! < 255).toBe(true);
    const big = await resize(gradient, 8, 16);
    expect(big).toEqual([...big].sort((a, b) => a - b));
    expect([big[0], big[15]]).toEqual([0, 255]);
  });
});

describe('preprocessPixels', () => {
  it('rounds [0,1] values to bytes and accepts [H,W], [1,H,W] and [3,H,W]', async () => {
    const px = Float32Array.from([0, 0.2, 0.5, 1]);
    const p = { size: [2, 2] as [number, number], channels: 1 as const };
    const expected = [0, 51, 128, 255].map((b) => b / 255);
    expect(Array.from(await preprocessPixels(px, [2, 2], p))).toEqual(expected.map((v) => Math.fround(v)));
    expect(await preprocessPixels(px, [1, 2, 2], p)).toEqual(await preprocessPixels(px, [2, 2], p));
    const rgb = Float32Array.from([1, 1, 1, 1, 0, 0, 0, 0, 0.2, 0.2, 0.2, 0.2]); // [3, 2, 2]
    const x = await preprocessPixels(rgb, [3, 2, 2], { size: [2, 2], layout: 'NHWC' });
    expect(Array.from(x.subarray(0, 3), (v) => Math.round(v * 255))).toEqual([255, 0, 51]);
  });

  it('rejects dims that are not an image or do not match the pixel count', async () => {
    await expect(preprocessPixels(new Float32Array(8), [2, 2, 2], { size: [2, 2] })).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(preprocessPixels(new Float32Array(5), [2, 2], { size: [2, 2] })).rejects.toThrow(/need 4 values/);
  });
});

describe('describePreprocess and preprocessDims', () => {
  it('gives the same string for equivalent configs and a different one for any change', () => {
    const base = describePreprocess({ size: [28, 28] });
    expect(describePreprocess({ layout: 'NCHW', mean: [0, 0, 0], std: [1], fit: 'fill', size: [28, 28], channels: 3 })).toBe(base);
    const changed = [
      { size: [28, 29] }, { channels: 1 }, { fit: 'contain' }, { position: 'left' }, { background: 1 },
      { invert: true }, { mean: [0.5] }, { std: [2] }, { layout: 'NHWC' },
    ].map((c) => describePreprocess({ size: [28, 28], ...c } as Parameters<typeof describePreprocess>[0]));
    expect(new Set([base, ...changed]).size).toBe(10);
    expect(JSON.parse(base)).toMatchObject({ size: [28, 28], mean: [0, 0, 0], std: [1, 1, 1], kernel: 'linear' });
  });

  it('gives [C,H,W] or [H,W,C]', () => {
    expect(preprocessDims({ size: [48, 192] })).toEqual([3, 48, 192]);
    expect(preprocessDims({ size: [48, 192], channels: 1, layout: 'NHWC' })).toEqual([48, 192, 1]);
  });

  it('names the bad option', () => {
    const field = (p: Parameters<typeof preprocessDims>[0]) => {
      try {
        preprocessDims(p);
      } catch (e) {
        expect(e).toBeInstanceOf(ImagePreprocessError);
        return (e as ImagePreprocessError).field;
      }
      return 'no error';
    };
    expect(field({ size: [0, 28] })).toBe('size');
    expect(field({ size: [28, 28], std: [1, 0, 1] })).toBe('std[1]');
    expect(field({ size: [28, 28], mean: [0.1, 0.2] })).toBe('mean');
    expect(field({ size: [28, 28], background: 2 })).toBe('background');
  });
});
