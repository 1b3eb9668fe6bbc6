// Real MNIST digits (the `mnist` package's JSON, read directly: its set() helper shuffles with
// Math.random) rendered as PNG files with sharp: dark ink on white paper, the way a phone photo of
// handwriting looks, either at 28x28 or already placed as a 192x48 text line (digit at the left).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { packageDir } from '@anneal/testing';

/** `count` digits `d` starting at index `from` of the package's list, as 28x28 gray bytes (ink dark). */
export function mnistDigits(d: number, from: number, count: number): Uint8Array[] {
  const { data } = JSON.parse(readFileSync(join(packageDir('mnist'), 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] };
  return Array.from({ length: count }, (_, i) => Uint8Array.from(data.slice((from + i) * 784, (from + i + 1) * 784), (v) => Math.round(255 * (1 - v))));
}

/** A 28x28 digit as PNG (RGB). */
export function digitPng(gray: Uint8Array): Promise<Buffer> {
  return sharp(gray, { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('srgb').png().toBuffer();
}

/** A digit as a 192x48 PNG text line: scaled to 48x48 at the left edge (sharp, linear kernel), white elsewhere. */
export async function textLinePng(gray: Uint8Array): Promise<Buffer> {
  const digit = await sharp(gray, { raw: { width: 28, height: 28, channels: 1 } }).resize({ width: 48, height: 48, kernel: 'linear' }).toColourspace('srgb').png().toBuffer();
  return sharp({ create: { width: 192, height: 48, channels: 3, background: { r: 255, g: 255, b: 255 } } }).composite([{ input: digit, left: 0, top: 0 }]).png().toBuffer();
}
