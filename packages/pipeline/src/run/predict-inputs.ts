import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { readNpy } from '@anneal/data';
import { DataType, type TensorValue } from '@anneal/onnx';
import { DEFAULT_IMAGE_EXTENSIONS, loadImageFiles, type ImagePreprocess } from '@anneal/transfer';
import { ConfigError } from '../errors.js';

/** One input source of `anneal predict`: the rows of an .npy file (as float32), or one image file. */
export type PredictSource = { kind: 'npy'; file: string; x: TensorValue & { data: Float32Array } } | { kind: 'image'; file: string };

/** The model input predict feeds: its name, dims (numbers, or the symbolic name / '?') and element type. */
export interface PredictModelInput {
  name: string;
  dims: (number | string)[];
  dataType: DataType;
}

/** Element types an input can be converted to (everything else is refused before anything runs). */
const FLOAT_TYPES = [DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16];

/** IEEE half bits to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A number to IEEE half bits (round to nearest even; overflow to infinity). */
export function floatToHalf(v: number): number {
  const f32 = new Float32Array([v]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mantissa | 0x800000;
    const shift = 14 - e;
    let half = m >> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** An .npy input as float32: float64 (numpy's default) and float16 are converted; other types are refused. */
function floatInputs(file: string): TensorValue & { data: Float32Array } {
  const x = readNpy(file);
  const dims = x.dims.map(Number);
  if (dims.length < 2) throw new ConfigError(`${file}: inputs must be batch first, [N, ...] (rank 2 or more); got dims [${dims.join(', ')}]`);
  if (x.dataType === DataType.FLOAT) return { dataType: DataType.FLOAT, dims, data: x.data as Float32Array };
  if (x.dataType === DataType.DOUBLE) return { dataType: DataType.FLOAT, dims, data: Float32Array.from(x.data as Float64Array) };
  if (x.dataType === DataType.FLOAT16) return { dataType: DataType.FLOAT, dims, data: Float32Array.from(x.data as Uint16Array, halfToFloat) };
  throw new ConfigError(`${file}: inputs must be float (float32, float64 or float16), got ${DataType[x.dataType]}; save them with a.astype('float32')`);
}

/** Image files under a folder, recursively, in sorted order (hidden files and folders skipped). */
function imagesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...imagesUnder(path));
    else if (DEFAULT_IMAGE_EXTENSIONS.includes(extname(name).toLowerCase())) out.push(path);
  }
  return out;
}

/**
 * The inputs as sources, in order: .npy files (read and converted to float32 at once, so a bad
 * file fails before the model loads), image files, and the images in folders (recursively,
 * sorted). A missing path, a folder without images or another kind of file is a ConfigError.
 */
export function listSources(inputs: readonly string[]): PredictSource[] {
  if (!inputs.length) throw new ConfigError('no inputs: give images, folders of images or .npy files (anneal predict <model> <inputs...>, or --input <path>)');
  const out: PredictSource[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) throw new ConfigError(`${input}: no such file or folder`);
    if (statSync(input).isDirectory()) {
      const images = imagesUnder(input);
      if (!images.length) throw new ConfigError(`${input}: no images in this folder or below it (looked for ${DEFAULT_IMAGE_EXTENSIONS.join(', ')}); give a folder of images, image files or an .npy file`);
      out.push(...images.map((file) => ({ kind: 'image' as const, file })));
    } else if (extname(input).toLowerCase() === '.npy') out.push({ kind: 'npy', file: input, x: floatInputs(input) });
    else if (DEFAULT_IMAGE_EXTENSIONS.includes(extname(input).toLowerCase())) out.push({ kind: 'image', file: input });
    else throw new ConfigError(`${input}: not an image (${DEFAULT_IMAGE_EXTENSIONS.join(', ')}), a folder of images or an .npy file`);
  }
  return out;
}

/**
 * Checks that every .npy source fits the model input (element type a float type, same rank,
 * equal fixed dims past the batch axis), naming the file, the input and both shapes.
 */
export function checkNpySources(sources: readonly PredictSource[], input: PredictModelInput, model: string): void {
  if (!FLOAT_TYPES.includes(input.dataType)) throw new ConfigError(`${model}: input '${input.name}' is ${DataType[input.dataType] ?? input.dataType}; anneal predict feeds float inputs (float32, float64 or float16) only`);
  for (const s of sources) {
    if (s.kind !== 'npy') continue;
    const rows = s.x.dims.slice(1) as number[];
    const want = input.dims.slice(1);
    const fits = input.dims.length === 0 || (rows.length === want.length && want.every((d, i) => typeof d !== 'number' || d === rows[i]));
    if (!fits) throw new ConfigError(`${s.file}: rows of dims [${rows.join(', ')}] do not fit ${model}'s input '${input.name}' [${input.dims.join(', ')}]; save the inputs as [N, ${want.join(', ')}]`);
  }
}

/** `x` (float32) as the model input's element type. */
function asInputType(x: TensorValue & { data: Float32Array }, dataType: DataType): TensorValue {
  if (dataType === DataType.DOUBLE) return { dataType, dims: x.dims, data: Float64Array.from(x.data) };
  if (dataType === DataType.FLOAT16) return { dataType, dims: x.dims, data: Uint16Array.from(x.data, floatToHalf) };
  return x;
}

/**
 * Batches of at most `size` rows in the model input's element type, with the source of each row
 * (`file` for an image, `file[i]` for row i of an .npy), in input order. Images are decoded and
 * preprocessed by @anneal/transfer's {@link loadImageFiles} (sharp), as the fine-tune did.
 */
export async function* predictBatches(sources: readonly PredictSource[], preprocess: ImagePreprocess | undefined, size: number, dataType: DataType): AsyncGenerator<{ x: TensorValue; rows: string[] }> {
  let images: string[] = [];
  const flush = async function* () {
    if (!images.length) return;
    const ds = await loadImageFiles(images, new Array<number>(images.length).fill(0), preprocess!);
    yield { x: asInputType(ds.x as TensorValue & { data: Float32Array }, dataType), rows: images };
    images = [];
  };
  for (const s of sources) {
    if (s.kind === 'image') {
      images.push(s.file);
      if (images.length === size) yield* flush();
      continue;
    }
    yield* flush();
    const [n, ...rest] = s.x.dims as number[];
    const per = rest.reduce((a, b) => a * b, 1);
    for (let from = 0; from < n!; from += size) {
      const to = Math.min(n!, from + size);
      const x = { dataType: DataType.FLOAT, dims: [to - from, ...rest], data: s.x.data.subarray(from * per, to * per) };
      yield { x: asInputType(x, dataType), rows: Array.from({ length: to - from }, (_, i) => `${s.file}[${from + i}]`) };
    }
  }
  yield* flush();
}
