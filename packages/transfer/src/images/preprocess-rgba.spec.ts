import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ShapeMismatchError } from '../errors.js';
import { fitBox, preprocessRgba } from './preprocess-rgba.js';
import { preprocessImage, type ImagePreprocess } from './preprocess.js';

/** RGBA bytes of a seeded noise image, opaque, and the same image as a PNG. */
async function noise(width: number, height: number): Promise<{ rgba: Uint8Array; png: Buffer }> {
  let s = 12345;
  const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255));
  return { rgba, png: await sharp(rgba, { raw: { width, height, channels: 4 } }).png().toBuffer() };
}

describe('preprocessRgba', () => {
  it('gives exactly what the sharp pipeline gives for an image already at the target size (colour, both layouts)', async () => {
    const { rgba, png } = await noise(10, 6);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const p: ImagePreprocess = { size: [6, 10], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], invert: true, layout };
      expect(Array.from(preprocessRgba(rgba, p)), layout).toEqual(Array.from(await preprocessImage(png, p)));
    }
  });

  it('matches libvips luminance within one gray level for one channel', async () => {
    const { rgba, png } = await noise(9, 5);
    const p: ImagePreprocess = { size: [5, 9], channels: 1 };
    const ours = preprocessRgba(rgba, p);
    const theirs = await preprocessImage(png, p);
    ours.forEach((v, i) => expect(Math.abs(v - theirs[i]!), `pixel ${i}`).toBeLessThanOrEqual(1 / 255 + 1e-6));
  });

  it('refuses pixels of another size, naming the size to draw at', () => {
    expect(() => preprocessRgba(new Uint8Array(16), { size: [48, 192] })).toThrow(ShapeMismatchError);
    expect(() => preprocessRgba(new Uint8Array(16), { size: [48, 192] })).toThrow(/192x48/);
  });
});

describe('fitBox', () => {
  it('stretches, contains (centred or left) and covers as sharp does', () => {
    expect(fitBox(28, 28, { size: [48, 192] })).toEqual({ sx: 0, sy: 0, sw: 28, sh: 28, dx: 0, dy: 0, dw: 192, dh: 48 });
    expect(fitBox(28, 28, { size: [48, 192], fit: 'contain', position: 'left' })).toEqual({ sx: 0, sy: 0, sw: 28, sh: 28, dx: 0, dy: 0, dw: 48, dh: 48 });
    expect(fitBox(28, 28, { size: [48, 192], fit: 'contain' })).toEqual({ sx: 0, sy: 0, sw: 28, sh: 28, dx: 72, dy: 0, dw: 48, dh: 48 });
    expect(fitBox(400, 100, { size: [48, 48], fit: 'contain' })).toEqual({ sx: 0, sy: 0, sw: 400, sh: 100, dx: 0, dy: 18, dw: 48, dh: 12 });
    expect(fitBox(400, 100, { size: [50, 50], fit: 'cover' })).toEqual({ sx: 150, sy: 0, sw: 100, sh: 100, dx: 0, dy: 0, dw: 50, dh: 50 });
    expect(fitBox(400, 100, { size: [50, 50], fit: 'cover', position: 'left' })).toMatchObject({ sx: 0, sw: 100 });
  });

  it('puts a drawn image where sharp puts it (contain, left): the padded columns are the background', async () => {
    const digit = await sharp({ create: { width: 28, height: 28, channels: 3, background: { r: 255, g: 255, b: 255 } } }).png().toBuffer();
    const p: ImagePreprocess = { size: [48, 192], fit: 'contain', position: 'left', background: 0 };
    const x = await preprocessImage(digit, p);
    const box = fitBox(28, 28, p);
    for (let col = 0; col < 192; col++) expect(x[24 * 192 + col], `column ${col}`).toBe(col < box.dx + box.dw ? 1 : 0);
  });
});
