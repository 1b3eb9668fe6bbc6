// Helpers for this package's specs only (not exported from index.ts): read back what the
// renderers produced — PNG header and pixels, and the plot rectangle of a Vega SVG.
import { inflateSync } from 'node:zlib';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width, height, bit depth and colour type from the IHDR chunk (always the first chunk). */
export function pngHeader(png: Uint8Array): { width: number; height: number; bitDepth: number; colorType: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const type = String.fromCharCode(...png.subarray(12, 16));
  if (type !== 'IHDR') throw new Error(`first PNG chunk is ${type}, not IHDR`);
  return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: png[24], colorType: png[25] };
}

/** Decodes an 8-bit RGBA, non-interlaced PNG (what resvg writes) into RGBA bytes. */
export function decodeRgbaPng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const { width, height, bitDepth, colorType } = pngHeader(png);
  if (bitDepth !== 8 || colorType !== 6) throw new Error(`expected 8-bit RGBA, got depth ${bitDepth} type ${colorType}`);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = new Uint8Array(height * stride);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)];
    const src = raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1));
    const out = rgba.subarray(row * stride, (row + 1) * stride);
    const prev = row > 0 ? rgba.subarray((row - 1) * stride, row * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= 4 ? out[i - 4] : 0;
      const b = prev[i];
      const c = i >= 4 ? prev[i - 4] : 0;
      out[i] = (src[i] + predict(filter, a, b, c)) & 0xff;
    }
  }
  return { width, height, rgba };
}

function predict(filter: number, a: number, b: number, c: number): number {
  switch (filter) {
    case 0: return 0;
    case 1: return a;
    case 2: return b;
    case 3: return (a + b) >> 1;
    case 4: return paeth(a, b, c);
    default: throw new Error(`unknown PNG filter ${filter}`);
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Pixels in a rectangle that are not (near) white. */
export function countNonWhite(img: { width: number; rgba: Uint8Array }, rect: { x: number; y: number; width: number; height: number }): number {
  let n = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const i = (y * img.width + x) * 4;
      if (img.rgba[i] < 240 || img.rgba[i + 1] < 240 || img.rgba[i + 2] < 240) n++;
    }
  }
  return n;
}

/** The plot rectangle of a single Vega chart: the root group's offset and its frame's size. */
export function plotArea(svg: string): { x: number; y: number; width: number; height: number } {
  const offset = /transform="translate\(([\d.]+),([\d.]+)\)"/.exec(svg);
  const frame = /class="background"[^>]*d="M0\.5,0\.5h([\d.]+)v([\d.]+)/.exec(svg);
  if (!offset || !frame) throw new Error('no plot frame found in the SVG');
  return { x: Math.ceil(+offset[1]), y: Math.ceil(+offset[2]), width: Math.floor(+frame[1]), height: Math.floor(+frame[2]) };
}

/** The `d` attributes of the paths inside every `<g class="mark-<kind> ...">` group. */
export function markPaths(svg: string, kind: 'line' | 'area' | 'symbol'): string[] {
  const out: string[] = [];
  const group = new RegExp(`<g class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g');
  for (const m of svg.matchAll(group)) {
    for (const p of m[1].matchAll(/<path[^>]*\sd="([^"]*)"/g)) out.push(p[1]);
  }
  return out;
}
