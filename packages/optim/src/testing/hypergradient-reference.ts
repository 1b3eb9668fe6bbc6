/**
 * Test support (not exported from the package): a float64 reference of the hypergradient
 * optimizers (Baydin et al. 2018) written straight from the formulas, one loop per element, and
 * a small linear-regression problem whose gradient the specs compute both here and in the graph.
 */

export type Vectors = Record<string, number[]>;

/** What the reference runs: the optimizer, β, the groups and the learning rate of every step. */
export interface ReferenceConfig {
  readonly kind: 'sgd' | 'momentum' | 'nesterov' | 'adam';
  readonly beta: number;
  readonly momentum?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  readonly maxGradNorm?: number;
  readonly groups: readonly { readonly name: string; readonly params: readonly string[] }[];
  /** `hp.lr.<group>` at update number `step` (1-based). */
  readonly lr: (step: number, group: string) => number;
}

/** One reference step: the parameters after it and each group's α (the rate it applied). */
export interface ReferenceStep {
  readonly params: Vectors;
  readonly alpha: Record<string, number>;
}

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((acc, v, i) => acc + v * b[i]!, 0);

/** Runs `steps` updates from `init` with gradients from `gradient(params)`. */
export function referenceRun(config: ReferenceConfig, init: Vectors, gradient: (params: Vectors) => Vectors, steps: number): ReferenceStep[] {
  const params: Vectors = structuredClone(init);
  const zeros = () => Object.fromEntries(Object.entries(init).map(([k, v]) => [k, v.map(() => 0)]));
  const previous = zeros(); // the previous update direction d (the parameter moved by -α·d)
  const buf = zeros();
  const m = zeros();
  const v = zeros();
  const alpha: Record<string, number> = {};
  const scheduled: Record<string, number> = {};
  const out: ReferenceStep[] = [];
  for (let t = 1; t <= steps; t++) {
    const g = gradient(params);
    if (config.maxGradNorm !== undefined) {
      const total = Math.sqrt(Object.values(g).reduce((acc, x) => acc + dot(x, x), 0));
      const c = Math.min(config.maxGradNorm / (total + 1e-6), 1);
      for (const k of Object.keys(g)) g[k] = g[k]!.map((x) => x * c);
    }
    const wd = config.weightDecay ?? 0;
    for (const k of Object.keys(g)) g[k] = g[k]!.map((x, i) => x + wd * params[k]![i]!);
    for (const group of config.groups) {
      const h = group.params.reduce((acc, p) => acc + dot(g[p]!, previous[p]!), 0);
      const lr = config.lr(t, group.name);
      const prior = scheduled[group.name] ?? 0;
      const carried = t === 1 ? lr : alpha[group.name]! * (prior > 0 ? lr / prior : 1);
      alpha[group.name] = carried + config.beta * h;
      scheduled[group.name] = lr;
    }
    for (const group of config.groups) {
      for (const p of group.params) {
        const d = direction(config, t, g[p]!, buf[p]!, m[p]!, v[p]!);
        previous[p] = d;
        params[p] = params[p]!.map((x, i) => x - alpha[group.name]! * d[i]!);
      }
    }
    out.push({ params: structuredClone(params), alpha: { ...alpha } });
  }
  return out;
}

/** The update direction of one parameter; updates the momentum buffer or Adam moments in place. */
function direction(config: ReferenceConfig, t: number, g: readonly number[], buf: number[], m: number[], v: number[]): number[] {
  const mu = config.momentum ?? 0;
  switch (config.kind) {
    case 'sgd':
      return [...g];
    case 'momentum':
    case 'nesterov':
      g.forEach((x, i) => (buf[i] = mu * buf[i]! + x));
      return config.kind === 'momentum' ? [...buf] : g.map((x, i) => x + mu * buf[i]!);
    case 'adam': {
      const [b1, b2, eps] = [config.beta1 ?? 0.9, config.beta2 ?? 0.999, config.eps ?? 1e-8];
      g.forEach((x, i) => {
        m[i] = b1 * m[i]! + (1 - b1) * x;
        v[i] = b2 * v[i]! + (1 - b2) * x * x;
      });
      return m.map((mi, i) => mi / (1 - b1 ** t) / (Math.sqrt(v[i]! / (1 - b2 ** t)) + eps));
    }
  }
}

/**
 * Linear regression `pred = X·w + b`, loss `0.5·mean((pred - y)^2)` on 8 fixed rows of 3
 * features: gradients `Xᵀr/N` and `mean(r)` with `r = pred - y`.
 */
export const regression = {
  x: [
    [1, 0.5, -1],
    [0.2, -1.5, 0.3],
    [-0.7, 0.1, 2],
    [1.2, 1, 0.4],
    [-1, -0.4, -0.6],
    [0.3, 0.8, -1.8],
    [2, -0.2, 0.9],
    [-0.5, 1.4, 0.1],
  ],
  y: [1.9, -2.1, 2.4, 3.3, -2.6, -0.4, 4.2, 0.6],
  init: { w: [0.1, -0.2, 0.05], b: [0] } as Vectors,
  gradient(params: Vectors): Vectors {
    const { x, y } = regression;
    const r = x.map((row, n) => dot(row, params.w!) + params.b![0]! - y[n]!);
    return { w: [0, 1, 2].map((j) => x.reduce((acc, row, n) => acc + row[j]! * r[n]!, 0) / x.length), b: [r.reduce((a, c) => a + c, 0) / x.length] };
  },
};
