import { InputLayoutError } from './image-errors.js';

type Dim = number | string;
type Layout = 'NCHW' | 'NHWC';

/** A symbolic (named) or unknown (non-positive) dim matches any size. */
const isFree = (d: Dim | undefined): boolean => typeof d === 'string' || (d ?? 0) < 1;
const fits = (want: readonly Dim[], got: readonly number[]): boolean =>
  want.length === got.length && want.every((d, i) => isFree(d) || d === got[i]);
const channelLike = (d: Dim | undefined): boolean => typeof d === 'number' && d >= 1 && d <= 4;

/** The model's layout when its dims say so: a small channel count first (NCHW) or last (NHWC). */
function modelLayout(dims: readonly Dim[]): Layout | undefined {
  const first = channelLike(dims[0]);
  const last = channelLike(dims[2]);
  if (first && !last) return 'NCHW';
  if (last && !first) return 'NHWC';
  return undefined;
}

/** [C, H, W] of per-example dims in the given layout. */
function chw<T>(dims: readonly T[], layout: Layout): [T, T, T] {
  const [a, b, c] = dims as [T, T, T];
  return layout === 'NCHW' ? [a, b, c] : [c, a, b];
}

function rankHint(want: number, got: number): string {
  const parts = [`The model wants ${want} dims per example (batch axis excluded) but the data has ${got}.`];
  if (got === want + 1) parts.push('If the data dims include the batch axis, drop it.');
  if (want === 3 && got < 3) parts.push('Turn flat or [H, W] data into images with preprocessDataset (ImagePreprocess: size, channels, layout).');
  return parts.join(' ');
}

/**
 * Checks per-example data dims (no batch axis) against a backbone input's per-example dims, where
 * symbolic or non-positive dims match anything, and throws InputLayoutError naming the likely fix:
 * the data's layout (`layout` says which it is; inferred when omitted) transposed, channels, or size.
 * @example
 * checkInputLayout({ name: 'x', dims: [3, 'H', 'W'] }, preprocessDims(p), p.layout); // passes for NCHW 3-channel data
 * checkInputLayout({ name: 'x', dims: [3, 224, 224] }, [224, 224, 3], 'NHWC'); // throws: ... set layout: 'NCHW' ...
 */
export function checkInputLayout(
  input: { name: string; dims: readonly (number | string)[] },
  dataDims: readonly number[],
  layout?: 'NCHW' | 'NHWC',
): void {
  const want = input.dims;
  if (fits(want, dataDims)) return;
  const fail = (hint: string): never => {
    throw new InputLayoutError(`backbone input '${input.name}'`, want, dataDims, hint);
  };
  if (want.length !== dataDims.length) fail(rankHint(want.length, dataDims.length));
  if (want.length !== 3) fail('Reshape the data to the dims the model wants.');
  const [d0, d1, d2] = dataDims as [number, number, number];
  if (layout !== 'NCHW' && fits(want, [d2, d0, d1])) {
    fail(`The data is NHWC [H, W, C] but the model wants NCHW [C, H, W]: set layout: 'NCHW' in the image preprocess.`);
  }
  if (layout !== 'NHWC' && fits(want, [d1, d2, d0])) {
    fail(`The data is NCHW [C, H, W] but the model wants NHWC [H, W, C]: set layout: 'NHWC' in the image preprocess.`);
  }
  const target = modelLayout(want) ?? layout ?? 'NCHW';
  const source = layout ?? modelLayout(dataDims) ?? target;
  const [mc, mh, mw] = chw(want, target);
  const [dc, dh, dw] = chw(dataDims, source);
  const fixes: string[] = [];
  if (source !== target) fixes.push(`layout: '${target}'`);
  if (!isFree(mc) && mc !== dc) fixes.push(mc === 1 || mc === 3 ? `channels: ${mc}` : `channels: ${mc} (the image preprocess makes only 1 or 3)`);
  if ((!isFree(mh) && mh !== dh) || (!isFree(mw) && mw !== dw)) {
    fixes.push(`size: [${isFree(mh) ? dh : mh}, ${isFree(mw) ? dw : mw}]`);
  }
  const fix = fixes.length > 0 ? `set ${fixes.join(', ')} in the image preprocess` : 'reshape the data to the dims the model wants';
  fail(`The model wants ${target} with C=${mc}, H=${mh}, W=${mw}; the data (${source}) has C=${dc}, H=${dh}, W=${dw}: ${fix}.`);
}
