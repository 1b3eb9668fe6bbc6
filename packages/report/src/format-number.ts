/**
 * A number in short scientific notation, the way learning rates and weight decays are written
 * in configs and legends: `3e-3`, `2.5e-4`, `1e-2`; exponent 0 is left out (`1`, `5`) and 0 is
 * `0`. `digits` significant digits at most (default 3), trailing zeros dropped.
 *
 * @example
 * ```ts
 * formatSci(0.003); // '3e-3'
 * formatSci(0.00025); // '2.5e-4'
 * formatSci(0); // '0'
 * ```
 */
export function formatSci(value: number, digits = 3): string {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return String(value);
  const [mantissa, exponent] = value.toExponential(Math.max(0, digits - 1)).split('e');
  const m = stripZeros(mantissa);
  const e = Number(exponent);
  return e === 0 ? m : `${m}e${e}`;
}

/**
 * A metric or table value for people to read: integers as they are, other numbers with 4
 * significant digits (`0.9123`, `12.35`), very small or very large ones in scientific notation
 * (`1.23e-5`), NaN and infinities spelled out.
 *
 * @example
 * ```ts
 * formatValue(0.91234); // '0.9123'
 * formatValue(0.0000123); // '1.23e-5'
 * ```
 */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e15) return String(value);
  if (abs >= 1e-3 && abs < 1e4) return stripZeros(value.toPrecision(4));
  if (abs >= 1e4 && abs < 1e15) return String(Math.round(value));
  return formatSci(value, 3);
}

/**
 * Labels for a set of values that stay distinct: formatSci with the fewest significant digits
 * (from 2 up to 8) at which no two different values share a label.
 */
export function distinctSciLabels(values: readonly number[]): Map<number, string> {
  const unique = [...new Set(values)];
  for (let digits = 2; ; digits++) {
    const labels = new Map(unique.map((v) => [v, formatSci(v, digits)] as const));
    if (new Set(labels.values()).size === unique.length || digits >= 8) return labels;
  }
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Powers of ten covering [min, max] (both > 0): the tick values of a log axis, one per decade. */
export function decadeTicks(min: number, max: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) out.push(Number(`1e${k}`));
  return out;
}
