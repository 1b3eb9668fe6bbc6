import { OptimConfigError } from './errors.js';
import { optimNames } from './naming.js';
import type { Optimizer } from './optimizer.js';
import { resolveGroups, type GroupConfig } from './param-groups.js';

/** One scalar float graph input carrying a hyperparameter. */
export interface HyperparameterInput {
  /** Input name, e.g. `hp.lr.head` or `hp.beta1`. */
  readonly name: string;
  /** `lr`, `weight_decay`, `max_grad_norm` or an optimizer key such as `momentum`, `beta1`, `step`. */
  readonly key: string;
  /** The parameter group, for `lr` and `weight_decay`. */
  readonly group?: string;
  /** Default (initial) value from the config. */
  readonly value: number;
  readonly description: string;
  /**
   * `lr` inputs only: whether the group's rate follows the base learning rate (a schedule of the
   * base lr moves it to `base × scale`) or is the group's own absolute rate (it stays at `value`
   * unless a schedule drives the group itself).
   */
  readonly followsBase?: boolean;
  /** `lr` inputs that follow the base rate: the factor on it (`lrScale`, 1 for the default group). */
  readonly scale?: number;
}

/**
 * The value of every input that follows the base learning rate when the base rate is `lr`:
 * the one place the rule "group lrs follow the base lr" is written.
 *
 * @example
 * followBaseLr(inputs, 0.01); // { 'hp.lr.default': 0.01, 'hp.lr.head': 0.1 } with a head lrScale of 10
 */
export function followBaseLr(inputs: readonly HyperparameterInput[], lr: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of inputs) if (h.followsBase) out[h.name] = lr * (h.scale ?? 1);
  return out;
}

/** The config fields hyperparameter inputs depend on. */
export interface HyperparameterConfig extends GroupConfig {
  readonly optimizer: Optimizer;
  readonly maxGradNorm?: number;
  /** A weight average in the step graph adds `hp.ema_decay`. */
  readonly ema?: { readonly decay: number };
}

const reserved = new Set(['lr', 'weight_decay', 'max_grad_norm', 'ema_decay']);

/**
 * Every hyperparameter input the update declares, in declaration order, with its default value:
 * `hp.lr.<group>` for each group, `hp.weight_decay.<group>` for each group whose weight decay is
 * not 0, the optimizer's `hp.<key>` inputs (momentum, dampening, beta1, beta2, eps, step), and
 * `hp.max_grad_norm` when clipping is on, and `hp.ema_decay` with a weight average. All are 0-d
 * float32 tensors.
 *
 * @example
 * hyperparameterInputs({ optimizer: adam(), lr: 1e-3, params: [{ name: 'w', grad: 'gw' }] })
 *   .map((h) => `${h.name}=${h.value}`);
 * // ['hp.lr.default=0.001', 'hp.beta1=0.9', 'hp.beta2=0.999', 'hp.eps=1e-8', 'hp.step=1']
 */
export function hyperparameterInputs(config: HyperparameterConfig): HyperparameterInput[] {
  const groups = resolveGroups(config);
  const out: HyperparameterInput[] = [];
  for (const g of groups) {
    out.push({ name: optimNames.lr(g.name), key: 'lr', group: g.name, value: g.lr, description: `learning rate of group '${g.name}'`, followsBase: g.lrFollowsBase, ...(g.lrFollowsBase ? { scale: g.lrScale } : {}) });
  }
  for (const g of groups) {
    if (g.weightDecay !== 0) {
      out.push({ name: optimNames.weightDecay(g.name), key: 'weight_decay', group: g.name, value: g.weightDecay, description: `weight decay of group '${g.name}'` });
    }
  }
  for (const h of config.optimizer.hyperparameters) {
    if (reserved.has(h.key) || !/^[a-z0-9_]+$/.test(h.key)) {
      throw new OptimConfigError(`optimizer(${config.optimizer.id}).hyperparameters`, `key '${h.key}' is reserved or not snake_case`);
    }
    out.push({ name: optimNames.hyperparameter(h.key), key: h.key, value: h.value, description: h.description });
  }
  if (config.maxGradNorm !== undefined) {
    if (!(config.maxGradNorm > 0)) throw new OptimConfigError('maxGradNorm', `must be > 0 (use a huge value or Infinity to disable clipping at run time), got ${config.maxGradNorm}`);
    out.push({ name: optimNames.hyperparameter('max_grad_norm'), key: 'max_grad_norm', value: config.maxGradNorm, description: 'max global L2 norm of the gradients (clipping)' });
  }
  if (config.ema) out.push({ name: optimNames.hyperparameter('ema_decay'), key: 'ema_decay', value: config.ema.decay, description: 'decay of the exponential moving average of the weights' });
  return out;
}

/** Values of one step's hyperparameters; see {@link hyperparameterFeeds}. */
export interface HyperparameterStep {
  /** 1-based index of the update being computed (PyTorch's `state['step']` after its increment). */
  readonly step: number;
  /** Base learning rate from a schedule; groups with `lrScale` follow it, groups with an absolute `lr` do not. */
  readonly lr?: number;
  /** Explicit values by input name (e.g. `{ 'hp.lr.head': 0.01, 'hp.beta1': 0.95 }`); they win over everything else. */
  readonly values?: Readonly<Record<string, number>>;
}

/**
 * The scalar values to feed for one step, by input name: config defaults, the group learning
 * rates derived from `lr`, the step count and explicit overrides.
 *
 * @example
 * const feeds = hyperparameterFeeds(config, { step: 7, lr: schedule.valueAt(6) });
 * // { 'hp.lr.default': ..., 'hp.step': 7, 'hp.beta1': 0.9, ... }
 */
export function hyperparameterFeeds(config: HyperparameterConfig, at: HyperparameterStep): Record<string, number> {
  const feeds: Record<string, number> = {};
  const inputs = hyperparameterInputs(config);
  for (const h of inputs) feeds[h.name] = h.value;
  if (at.lr !== undefined) Object.assign(feeds, followBaseLr(inputs, at.lr));
  const stepName = optimNames.hyperparameter('step');
  if (stepName in feeds) feeds[stepName] = at.step;
  for (const [name, v] of Object.entries(at.values ?? {})) {
    if (!(name in feeds)) throw new OptimConfigError(`values['${name}']`, `no such hyperparameter input; known: ${inputs.map((h) => h.name).join(', ')}`);
    feeds[name] = v;
  }
  return feeds;
}
