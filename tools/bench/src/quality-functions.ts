/**
 * The test functions of `npm run bench search-quality` (mirrored in optuna-quality.py): standard
 * functions with known minima, plus a mixed space (log float, int, stepped float, categorical)
 * and an integer space. All are minimized.
 */
import type { Distribution, ParamValue } from '@anneal/search';

/** A function over a search space, with its known minimum. */
export interface QualityFunction {
  readonly name: string;
  readonly space: Readonly<Record<string, Distribution>>;
  readonly minimum: number;
  readonly f: (p: Readonly<Record<string, ParamValue>>) => number;
}

const float = (low: number, high: number): Distribution => ({ kind: 'float', low, high });
const box = (d: number, low: number, high: number) => Object.fromEntries(Array.from({ length: d }, (_, i) => [`x${i}`, float(low, high)]));
const xs = (p: Readonly<Record<string, ParamValue>>, d: number) => Array.from({ length: d }, (_, i) => p[`x${i}`] as number);

const H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
const H6_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]];
const H6_ALPHA = [1, 1.2, 3, 3.2];
const MIXED_CENTER: Record<string, number> = { sgd: -1, momentum: -1.5, adam: -3 };
const MIXED_OFFSET: Record<string, number> = { sgd: 0.5, momentum: 0.2, adam: 0 };
const INT_CENTER = [3, -7, 5, 0];
/** (log2 m - 6.3)^2 is smallest at m = 79 among the integers. */
const INT_LOG_MIN = (Math.log2(79) - 6.3) ** 2;

export const QUALITY_FUNCTIONS: readonly QualityFunction[] = [
  {
    name: 'branin',
    space: { x1: float(-5, 10), x2: float(0, 15) },
    minimum: 0.397887357729739,
    f: (p) => {
      const x1 = p.x1 as number;
      const x2 = p.x2 as number;
      return (x2 - (5.1 / (4 * Math.PI ** 2)) * x1 * x1 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
    },
  },
  {
    name: 'hartmann6',
    space: box(6, 0, 1),
    minimum: -3.32236801141551,
    f: (p) => {
      const x = xs(p, 6);
      let s = 0;
      for (let i = 0; i < 4; i++) {
        let e = 0;
        for (let j = 0; j < 6; j++) e += H6_A[i]![j]! * (x[j]! - H6_P[i]![j]! * 1e-4) ** 2;
        s -= H6_ALPHA[i]! * Math.exp(-e);
      }
      return s;
    },
  },
  {
    name: 'rosenbrock5',
    space: box(5, -5, 10),
    minimum: 0,
    f: (p) => {
      const x = xs(p, 5);
      let s = 0;
      for (let i = 0; i < 4; i++) s += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2;
      return s;
    },
  },
  {
    name: 'styblinski-tang4',
    space: box(4, -5, 5),
    minimum: -39.16616570377142 * 4,
    f: (p) => xs(p, 4).reduce((s, x) => s + (x ** 4 - 16 * x * x + 5 * x) / 2, 0),
  },
  {
    name: 'mixed',
    space: {
      lr: { kind: 'float', low: 1e-5, high: 1, log: true },
      depth: { kind: 'int', low: 1, high: 12 },
      dropout: { kind: 'float', low: 0, high: 0.5, step: 0.05 },
      optimizer: { kind: 'categorical', choices: ['sgd', 'momentum', 'adam'] },
    },
    minimum: 0,
    f: (p) => {
      const opt = p.optimizer as string;
      const depth = p.depth as number;
      return (Math.log10(p.lr as number) - MIXED_CENTER[opt]! + 0.1 * (depth - 7)) ** 2 + 0.05 * (depth - 7) ** 2 + 2 * ((p.dropout as number) - 0.2) ** 2 + MIXED_OFFSET[opt]!;
    },
  },
  {
    name: 'integer',
    space: { ...Object.fromEntries(INT_CENTER.map((_, i) => [`n${i}`, { kind: 'int', low: -10, high: 10 } as Distribution])), m: { kind: 'int', low: 1, high: 1024, log: true } },
    minimum: INT_LOG_MIN,
    f: (p) => {
      const n = INT_CENTER.map((_, i) => (p[`n${i}`] as number) - INT_CENTER[i]!);
      return n.reduce((s, v, i) => s + (i + 1) * v * v, 0) / 4 + 0.5 * (n[0]! - n[1]!) ** 2 + (Math.log2(p.m as number) - 6.3) ** 2;
    },
  },
];
