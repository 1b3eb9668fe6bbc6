/**
 * Sobol' points in up to {@link SOBOL_MAX_DIMS} dimensions, computed directly from the point
 * index (natural order), optionally scrambled by a random linear matrix scramble plus a digital
 * shift (Matoušek 1998), which keeps the net properties.
 */
import { seededRandom } from '@anneal/data';
import { combineSeed } from './seeding.js';

/**
 * Primitive polynomials and initial direction numbers for dimensions 2..32, as published by
 * S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better two-dimensional projections",
 * SIAM J. Sci. Comput. 30 (2008) 2635-2654 (their table new-joe-kuo-6.21201). Each row:
 * degree s, polynomial coefficients a, then m_1..m_s. Dimension 1 is the van der Corput sequence.
 */
const JOE_KUO: readonly (readonly number[])[] = [
  [1, 0, 1],
  [2, 1, 1, 3],
  [3, 1, 1, 3, 1],
  [3, 2, 1, 1, 1],
  [4, 1, 1, 1, 3, 3],
  [4, 4, 1, 3, 5, 13],
  [5, 2, 1, 1, 5, 5, 17],
  [5, 4, 1, 1, 5, 5, 5],
  [5, 7, 1, 1, 7, 11, 19],
  [5, 11, 1, 1, 5, 1, 1],
  [5, 13, 1, 1, 1, 3, 11],
  [5, 14, 1, 3, 5, 5, 31],
  [6, 1, 1, 3, 3, 9, 7, 49],
  [6, 13, 1, 1, 1, 15, 21, 21],
  [6, 16, 1, 3, 1, 13, 27, 49],
  [6, 19, 1, 1, 1, 15, 7, 5],
  [6, 22, 1, 3, 1, 15, 13, 25],
  [6, 25, 1, 1, 5, 5, 19, 61],
  [7, 1, 1, 3, 7, 11, 23, 15, 103],
  [7, 4, 1, 3, 7, 13, 13, 15, 69],
  [7, 7, 1, 1, 3, 13, 7, 35, 63],
  [7, 8, 1, 3, 5, 9, 1, 25, 53],
  [7, 14, 1, 3, 1, 13, 9, 35, 107],
  [7, 19, 1, 3, 1, 5, 27, 61, 31],
  [7, 21, 1, 1, 5, 11, 19, 41, 61],
  [7, 28, 1, 3, 5, 3, 3, 13, 69],
  [7, 31, 1, 1, 7, 13, 1, 19, 1],
  [7, 32, 1, 3, 7, 5, 13, 19, 59],
  [7, 37, 1, 1, 3, 9, 25, 29, 41],
  [7, 41, 1, 3, 5, 13, 23, 1, 55],
  [7, 42, 1, 3, 7, 3, 13, 59, 17],
];

/** Dimensions the Sobol' tables here support. */
export const SOBOL_MAX_DIMS = JOE_KUO.length + 1;
const BITS = 32;

/** The 32 direction numbers V_1..V_32 of dimension `dim` (0-based), as 32-bit fractions. */
function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 0; k < BITS; k++) v[k] = (1 << (BITS - 1 - k)) >>> 0;
    return v;
  }
  const row = JOE_KUO[dim - 1]!;
  const s = row[0]!;
  const a = row[1]!;
  for (let k = 0; k < s; k++) v[k] = (row[2 + k]! << (BITS - 1 - k)) >>> 0;
  for (let k = s; k < BITS; k++) {
    let x = v[k - s]! ^ (v[k - s]! >>> s);
    for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) x ^= v[k - i]!;
    v[k] = x >>> 0;
  }
  return v;
}

function parity(x: number): number {
  let y = x >>> 0;
  y ^= y >>> 16;
  y ^= y >>> 8;
  y ^= y >>> 4;
  y ^= y >>> 2;
  y ^= y >>> 1;
  return y & 1;
}

/** Applies a random lower-triangular (unit diagonal) binary matrix to each direction number. */
function scrambleDirections(v: Uint32Array, rand: () => number): Uint32Array {
  const rows = new Uint32Array(BITS);
  for (let r = 0; r < BITS; r++) {
    const above = r === 0 ? 0 : (0xffffffff << (BITS - r)) >>> 0;
    const random = Math.floor(rand() * 4294967296) >>> 0;
    rows[r] = ((1 << (BITS - 1 - r)) | (random & above)) >>> 0;
  }
  const out = new Uint32Array(BITS);
  for (let k = 0; k < BITS; k++) {
    let y = 0;
    for (let r = 0; r < BITS; r++) if (parity(rows[r]! & v[k]!)) y |= 1 << (BITS - 1 - r);
    out[k] = y >>> 0;
  }
  return out;
}

/**
 * A Sobol' sequence of `dims` dimensions. Without a scramble seed, point 0 is the origin and the
 * first 2^m points form a (t, m, d)-net; with one, every dimension gets its own random linear
 * scramble and digital shift derived from (seed, dimension), so a dimension's values do not
 * depend on how many dimensions are asked for.
 */
export class SobolSequence {
  private readonly v: Uint32Array[];
  private readonly shift: Uint32Array;

  constructor(
    readonly dims: number,
    scrambleSeed?: number,
  ) {
    if (!Number.isInteger(dims) || dims < 1 || dims > SOBOL_MAX_DIMS) throw new RangeError(`Sobol' sequence supports 1..${SOBOL_MAX_DIMS} dimensions, got ${dims}`);
    this.v = [];
    this.shift = new Uint32Array(dims);
    for (let j = 0; j < dims; j++) {
      const base = directionNumbers(j);
      if (scrambleSeed === undefined) this.v.push(base);
      else {
        const rand = seededRandom(combineSeed(scrambleSeed, j, 'sobol'));
        this.v.push(scrambleDirections(base, rand));
        this.shift[j] = Math.floor(rand() * 4294967296) >>> 0;
      }
    }
  }

  /** Writes point `index` (0 <= index < 2^32) into `out` (length >= dims), coordinates in [0, 1). */
  point(index: number, out: Float64Array = new Float64Array(this.dims)): Float64Array {
    if (!Number.isInteger(index) || index < 0 || index >= 4294967296) throw new RangeError(`Sobol' point index must be an integer in [0, 2^32), got ${index}`);
    for (let j = 0; j < this.dims; j++) {
      const v = this.v[j]!;
      let x = this.shift[j]!;
      let n = index;
      for (let k = 0; n > 0; k++, n = Math.floor(n / 2)) if (n % 2 === 1) x ^= v[k]!;
      out[j] = (x >>> 0) / 4294967296;
    }
    return out;
  }
}
