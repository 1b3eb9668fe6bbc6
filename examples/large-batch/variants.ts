// The experiment's variants: the commented YAML configs under configs/, grouped into studies,
// and the seed-0 sweep that chose the LARS trust coefficient and the LAMB lr.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FitConfig, loadFitConfig, type Pipeline, validateFitConfig } from '@anneal/pipeline';

const here = dirname(fileURLToPath(import.meta.url));

/** A config of the experiment or its inputs is unusable; the message says which file and what to change. */
export class LargeBatchExampleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LargeBatchExampleError';
  }
}

/**
 * Which comparison a variant belongs to. `main`: the ordering at 16x (batch 256 vs 16);
 * `32x`: the same at batch 512; `lr 0.05`: 16x from a higher base lr. Each study has its own baseline.
 */
export type Study = 'main' | '32x' | 'lr 0.05';
export const STUDIES: readonly Study[] = ['main', '32x', 'lr 0.05'];

/** One configuration of the experiment, run for every seed. */
export interface Variant {
  id: string;
  /** Table label, e.g. `(c) linear + warmup`. */
  label: string;
  /** The YAML file under configs/. */
  file: string;
  study: Study;
  /** The baseline of its study (its gap is measured to it). */
  baseline?: boolean;
}

/** Every variant, in table order. The main study's are the (a)-(d); the others make the warmup's effect visible. */
export const VARIANTS: readonly Variant[] = [
  { id: 'base', label: 'baseline (batch 16)', file: 'base.yaml', study: 'main', baseline: true },
  { id: 'a', label: '(a) unscaled lr', file: 'a-unscaled.yaml', study: 'main' },
  { id: 'b', label: '(b) linear rule, no warmup', file: 'b-linear.yaml', study: 'main' },
  { id: 'c', label: '(c) linear rule + warmup', file: 'c-warmup.yaml', study: 'main' },
  { id: 'd1', label: '(d1) LARS + warmup', file: 'd1-lars.yaml', study: 'main' },
  { id: 'd2', label: '(d2) LAMB + warmup', file: 'd2-lamb.yaml', study: 'main' },
  { id: 'base-32x', label: 'baseline (batch 16)', file: 'base.yaml', study: '32x', baseline: true },
  { id: 'a-32x', label: '(a) unscaled lr', file: 'a-unscaled-32x.yaml', study: '32x' },
  { id: 'b-32x', label: '(b) linear rule, no warmup', file: 'b-linear-32x.yaml', study: '32x' },
  { id: 'c-32x', label: '(c) linear rule + warmup', file: 'c-warmup-32x.yaml', study: '32x' },
  { id: 'c5-32x', label: '(c) linear rule + 5-epoch warmup', file: 'c-warmup5-32x.yaml', study: '32x' },
  { id: 'base-lr05', label: 'baseline (batch 16, lr 0.05)', file: 'base-lr05.yaml', study: 'lr 0.05', baseline: true },
  { id: 'b-lr05', label: '(b) linear rule, no warmup', file: 'b-linear-lr05.yaml', study: 'lr 0.05' },
  { id: 'c-lr05', label: '(c) linear rule + warmup', file: 'c-warmup-lr05.yaml', study: 'lr 0.05' },
];

/** Loads `configs/<file>`, validated as `anneal fit` does. */
export function variantConfig(file: string): FitConfig {
  return loadFitConfig(join(here, 'configs', file));
}

/**
 * The config with another seed (model initialization and training-data order; the split keeps
 * `data.split.seed`, so every run is scored on the same 2,000 test images) and a name per seed.
 */
export function withSeed(config: FitConfig, seed: number, where: string): FitConfig {
  const model = config.model.type === 'onnx' ? config.model : { ...config.model, seed: undefined };
  return validateFitConfig({ ...config, name: `${config.name}-s${seed}`, seed, model }, where);
}

/** Why a variant cannot run in this checkout (its optimizer is not a plugin of the pipeline), or undefined when it can. */
export function unavailable(pipeline: Pipeline, config: FitConfig, file: string): string | undefined {
  const ids = pipeline.registry.ids('optimizer');
  if (ids.includes(config.optimizer.type)) return undefined;
  return `configs/${file}: optimizer '${config.optimizer.type}' is not a registered optimizer plugin (the built-ins are @anneal/optim's builtinOptimizers; known: ${ids.join(', ')})`;
}

/** Every run must score on the same split: the data source and split of all configs must agree. */
export function checkSameSplit(configs: readonly { file: string; config: FitConfig }[]): void {
  const key = (c: FitConfig) => JSON.stringify({ source: c.data.source, split: c.data.split });
  const first = configs[0];
  for (const c of configs) {
    if (first && key(c.config) !== key(first.config)) {
      throw new LargeBatchExampleError(`configs/${c.file}: data.source/data.split ${key(c.config)} differ from configs/${first.file}'s ${key(first.config)}; every variant must use the same split so the test accuracies compare`);
    }
  }
}

/** One point of the seed-0 sweep: a (d) config with another trust coefficient or lr. */
export interface SweepPoint {
  id: string;
  label: string;
  file: string;
  /** What changes in the config, as shown in the sweep table. */
  setting: string;
  apply: (config: FitConfig) => FitConfig;
}

const withLr = (c: FitConfig, lr: number, rule: 'linear' | 'sqrt'): FitConfig => ({
  ...c,
  optimizer: { ...c.optimizer, lr, largeBatch: { ...c.optimizer.largeBatch!, rule } },
  schedules: c.schedules.map((s) => (s.target === 'lr' ? { ...s, schedule: { ...s.schedule, base: lr } } : s)),
});

/** The tries that chose (d1)'s trust coefficient and (d2)'s base lr (seed 0 only; see the configs' comments). */
export const SWEEP: readonly SweepPoint[] = [
  ...[0.001, 0.01, 0.02, 0.05, 0.1].map((eta) => ({
    id: `lars-eta${eta}`,
    label: 'LARS',
    file: 'd1-lars.yaml',
    setting: `trustCoefficient ${eta} (lr 0.02 x 16)`,
    apply: (c: FitConfig): FitConfig => ({ ...c, optimizer: { ...c.optimizer, trustCoefficient: eta } }),
  })),
  ...(
    [
      [0.001, 'sqrt'],
      [0.003, 'sqrt'],
      [0.001, 'linear'],
      [0.002, 'linear'],
      [0.004, 'linear'],
    ] as const
  ).map(([lr, rule]) => ({
    id: `lamb-${lr}-${rule}`,
    label: 'LAMB',
    file: 'd2-lamb.yaml',
    setting: `lr ${lr} x ${rule === 'linear' ? '16' : 'sqrt(16) = 4'} (${rule} rule)`,
    apply: (c: FitConfig): FitConfig => withLr(c, lr, rule),
  })),
];
