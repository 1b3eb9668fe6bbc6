import { OptimConfigError } from './errors.js';
import { DEFAULT_GROUP } from './naming.js';
import type { Dim } from '@anneal/onnx';
import type { TrainableParam } from './optimizer.js';

/**
 * A parameter group: parameters sharing a learning rate and a weight decay, each a scalar graph
 * input of its own (`hp.lr.<name>`, `hp.weight_decay.<name>`).
 * Frozen tensors are simply not passed as parameters: they get no update, no state and no stats.
 */
export interface ParamGroup {
  /** Group name: letters, digits, `_` and `-` (it becomes part of input names). */
  readonly name: string;
  /** Names of the parameters in the group (each parameter in at most one group). */
  readonly params: readonly string[];
  /** The group's own initial learning rate; a base-lr schedule does not move it (see `hyperparameterFeeds`). */
  readonly lr?: number;
  /** Learning rate as a multiple of the base `lr` (default 1); follows the base schedule. Ignored when `lr` is set. */
  readonly lrScale?: number;
  /**
   * Weight decay of the group (default: the config's `weightDecay`). Exactly 0 means the group
   * emits no decay nodes and has no `hp.weight_decay.<name>` input.
   */
  readonly weightDecay?: number;
}

/** A group after defaults are applied. */
export interface ResolvedGroup<P extends { readonly name: string } = TrainableParam> {
  readonly name: string;
  readonly params: readonly P[];
  /** Initial learning rate of the group. */
  readonly lr: number;
  /** Whether the group's lr follows the base lr (`lrScale`) rather than being absolute. */
  readonly lrFollowsBase: boolean;
  readonly lrScale: number;
  readonly weightDecay: number;
}

/** A parameter as far as grouping is concerned: its name (gradient and shape are carried along). */
export interface ParamRef {
  readonly name: string;
  readonly grad?: string;
  readonly dims?: readonly Dim[];
}

/** The subset of the update config that groups depend on (only parameter names matter). */
export interface GroupConfig<P extends { readonly name: string } = ParamRef> {
  readonly params: readonly P[];
  readonly lr: number;
  readonly weightDecay?: number;
  readonly groups?: readonly ParamGroup[];
}

const groupName = /^[A-Za-z0-9_-]+$/;

function checkNonNegative(path: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new OptimConfigError(path, `must be a finite number >= 0, got ${v}`);
}

/**
 * Assigns every parameter to a group. Parameters not listed in any group form the group
 * `default` (created only when there are such parameters; with no `groups`, every parameter is
 * in `default`).
 *
 * @example
 * resolveGroups({ lr: 0.1, params, groups: [{ name: 'head', params: ['fc.weight'], lrScale: 10 }] });
 */
export function resolveGroups<P extends { readonly name: string }>(config: GroupConfig<P>): ResolvedGroup<P>[] {
  checkNonNegative('lr', config.lr);
  checkNonNegative('weightDecay', config.weightDecay);
  const byName = new Map<string, P>();
  config.params.forEach((p, i) => {
    if (!p.name) throw new OptimConfigError(`params[${i}].name`, 'is empty');
    if (byName.has(p.name)) throw new OptimConfigError(`params[${i}]`, `parameter '${p.name}' is listed twice`);
    byName.set(p.name, p);
  });
  const owner = new Map<string, string>();
  const groups: ResolvedGroup<P>[] = [];
  const names = new Set<string>();
  (config.groups ?? []).forEach((g, gi) => {
    const at = `groups[${gi}]`;
    if (!groupName.test(g.name)) throw new OptimConfigError(`${at}.name`, `'${g.name}' must match ${groupName} (it becomes part of input names)`);
    if (names.has(g.name)) throw new OptimConfigError(`${at}.name`, `group '${g.name}' is defined twice`);
    names.add(g.name);
    checkNonNegative(`${at}.lr`, g.lr);
    checkNonNegative(`${at}.lrScale`, g.lrScale);
    checkNonNegative(`${at}.weightDecay`, g.weightDecay);
    const params = g.params.map((name, pi) => {
      const p = byName.get(name);
      if (!p) throw new OptimConfigError(`${at}.params[${pi}]`, `'${name}' is not among params[]; pass it as a trainable parameter or drop it from the group`);
      const prev = owner.get(name);
      if (prev) throw new OptimConfigError(`${at}.params[${pi}]`, `'${name}' is already in group '${prev}'`);
      owner.set(name, g.name);
      return p;
    });
    const lrScale = g.lrScale ?? 1;
    groups.push({
      name: g.name,
      params,
      lr: g.lr ?? config.lr * lrScale,
      lrFollowsBase: g.lr === undefined,
      lrScale,
      weightDecay: g.weightDecay ?? config.weightDecay ?? 0,
    });
  });
  const rest = config.params.filter((p) => !owner.has(p.name));
  if (rest.length > 0) {
    if (names.has(DEFAULT_GROUP)) {
      throw new OptimConfigError('groups', `parameters ${rest.map((p) => `'${p.name}'`).join(', ')} are in no group, and the implicit group '${DEFAULT_GROUP}' is taken; list them in a group`);
    }
    groups.push({ name: DEFAULT_GROUP, params: rest, lr: config.lr, lrFollowsBase: true, lrScale: 1, weightDecay: config.weightDecay ?? 0 });
  }
  return groups;
}
