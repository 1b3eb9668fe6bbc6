/**
 * The naming scheme of every tensor the optimizer update creates. Names are predictable so
 * runtimes, schedulers and dashboards can address them without looking at the graph:
 *
 * | tensor                       | name                              | kind          |
 * |------------------------------|-----------------------------------|---------------|
 * | learning rate of a group     | `hp.lr.<group>`                   | input, scalar |
 * | weight decay of a group      | `hp.weight_decay.<group>`         | input, scalar |
 * | optimizer-wide hyperparameter| `hp.<key>` (momentum, dampening, beta1, beta2, eps, step, max_grad_norm) | input, scalar |
 * | optimizer state              | `state.<slot>.<param>`            | input         |
 * | new parameter / new state    | `new.<input name>`                | output        |
 * | gradient (standalone graph)  | `grad.<param>`                    | input         |
 * | group state (hypergradient)  | `state.<slot>.<group>`, e.g. `state.lr.<group>` | input, scalar |
 * | diagnostics                  | `stats.grad_norm.<param>`, `stats.weight_norm.<param>`, `stats.update_norm.<param>`, `stats.global_grad_norm` | output, scalar |
 * | learning rate used (optimizers with a group emitter, e.g. hypergradient) | `stats.lr.<group>` | output, scalar |
 *
 * @example
 * optimNames.lr('head');                      // 'hp.lr.head'
 * optimNames.next(optimNames.state('exp_avg', 'fc.weight')); // 'new.state.exp_avg.fc.weight'
 */
export const optimNames = {
  lr: (group: string): string => `hp.lr.${group}`,
  weightDecay: (group: string): string => `hp.weight_decay.${group}`,
  /** An optimizer-wide hyperparameter input such as `hp.beta1`. */
  hyperparameter: (key: string): string => `hp.${key}`,
  state: (slot: string, param: string): string => `state.${slot}.${param}`,
  grad: (param: string): string => `grad.${param}`,
  /** The output carrying the next value of a carried tensor (parameter or state). */
  next: (name: string): string => `new.${name}`,
  gradNorm: (param: string): string => `stats.grad_norm.${param}`,
  weightNorm: (param: string): string => `stats.weight_norm.${param}`,
  updateNorm: (param: string): string => `stats.update_norm.${param}`,
  globalGradNorm: 'stats.global_grad_norm',
  /** The learning rate a group's update used, for optimizers that compute it in the graph (hypergradient descent). */
  usedLr: (group: string): string => `stats.lr.${group}`,
} as const;

/** Name of the default parameter group (parameters not listed in any group). */
export const DEFAULT_GROUP = 'default';
