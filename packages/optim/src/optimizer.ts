import type { Dim, GraphBuilder } from '@anneal/onnx';
import type { Term } from './linear-combination.js';
import type { ScalarOps } from './scalar-ops.js';

/** A trainable parameter handed to the optimizer update: its value tensor and its gradient tensor. */
export interface TrainableParam {
  /** Name of the parameter's current value tensor; also the key used in state and stats names. */
  readonly name: string;
  /** Name of the gradient tensor (same shape as the parameter). */
  readonly grad: string;
  /** Shape, used to declare state inputs and new-value outputs; unknown when omitted. */
  readonly dims?: readonly Dim[];
}

/** An optimizer-wide scalar hyperparameter input `hp.<key>` and its default value. */
export interface HyperparameterDefault {
  readonly key: string;
  readonly value: number;
  readonly description: string;
}

/**
 * What an optimizer emitter sees while emitting the update of one parameter. All hyperparameters
 * are names of 0-d float graph inputs (or scalars derived from them), never numbers, so changing
 * them never recompiles the graph.
 */
export interface ParamUpdateContext {
  readonly builder: GraphBuilder;
  /** Memoized scalar arithmetic; use it for every hyperparameter-only expression. */
  readonly scalars: ScalarOps;
  readonly param: TrainableParam;
  /** Current parameter value tensor. */
  readonly value: string;
  /** The gradient to apply, already clipped: `grad.scale * grad.tensor`. */
  readonly grad: Term;
  /** Current state tensors by slot name (see {@link Optimizer.stateSlots}). */
  readonly state: Readonly<Record<string, string>>;
  /** Names the emitter must produce: the new parameter value and the new state by slot. */
  readonly outputs: { readonly param: string; readonly state: Readonly<Record<string, string>> };
  /** Learning rate of the parameter's group: the input `hp.lr.<group>`, or the rate the optimizer's `emitGroup` returned. */
  readonly lr: string;
  /** Weight decay of the parameter's group; undefined when the group's weight decay is statically 0. */
  readonly weightDecay?: string;
  /** Input name of an optimizer-wide hyperparameter the optimizer declared (e.g. `beta1` -> `hp.beta1`). */
  hp(key: string): string;
}

/** A parameter of a group as {@link Optimizer.emitGroup} sees it: what its own `emit` will see. */
export interface GroupParam {
  readonly param: TrainableParam;
  readonly value: string;
  /** The gradient to apply, already clipped. */
  readonly grad: Term;
  /** Current per-parameter state tensors by slot name. */
  readonly state: Readonly<Record<string, string>>;
}

/**
 * What {@link Optimizer.emitGroup} sees: one parameter group, emitted once per graph before the
 * `emit` of any of its parameters. Group state is 0-d: input `state.<slot>.<group>`, output
 * `new.state.<slot>.<group>`, zero-initialized like every state tensor.
 */
export interface GroupUpdateContext {
  readonly builder: GraphBuilder;
  readonly scalars: ScalarOps;
  readonly group: string;
  readonly params: readonly GroupParam[];
  /** The group's learning-rate input `hp.lr.<group>`. */
  readonly lr: string;
  readonly weightDecay?: string;
  /** Current group state tensors by slot name (see {@link Optimizer.groupStateSlots}). */
  readonly state: Readonly<Record<string, string>>;
  /** Names the emitter must produce: the new group state by slot. */
  readonly outputs: { readonly state: Readonly<Record<string, string>> };
  hp(key: string): string;
}

/** What {@link Optimizer.emitGroup} returns. */
export interface GroupUpdate {
  /** The 0-d learning-rate tensor every `emit` of the group's parameters gets as `ctx.lr` (also output as `stats.lr.<group>`). */
  readonly lr: string;
}

/**
 * An optimizer as a graph emitter. `emit` appends standard ai.onnx nodes that compute the new
 * parameter and new state of one parameter; the caller declares inputs and outputs, clips
 * gradients and emits diagnostics. State slots are zero-initialized tensors shaped like the
 * parameter.
 *
 * @example
 * const plainSgd: Optimizer = {
 *   id: 'my-sgd',
 *   hyperparameters: [],
 *   stateSlots: () => [],
 *   emit: (ctx) => {
 *     combine(ctx.builder, ctx.scalars, [{ tensor: ctx.value }, ...scaleTerms(ctx.scalars, [ctx.grad], ctx.scalars.neg(ctx.lr))], ctx.outputs.param);
 *   },
 * };
 */
export interface Optimizer {
  readonly id: string;
  /** Optimizer-wide scalar inputs (`hp.<key>`) with their defaults. `lr` and `weight_decay` are per group and not listed here. */
  readonly hyperparameters: readonly HyperparameterDefault[];
  /** State slot names of a parameter, e.g. `['exp_avg', 'exp_avg_sq']`. */
  stateSlots(param: TrainableParam): readonly string[];
  /** Appends the update of one parameter; must produce `ctx.outputs.param` and every `ctx.outputs.state[slot]`. */
  emit(ctx: ParamUpdateContext): void;
  /** Scalar state slots of every parameter group (e.g. a learned learning rate); none when omitted. */
  readonly groupStateSlots?: readonly string[];
  /**
   * Optional group-level emitter, called once per parameter group before the group's `emit`s:
   * for quantities over all of a group's parameters (a hypergradient's dot product). Must produce
   * every `ctx.outputs.state[slot]`; the learning rate it returns replaces `hp.lr.<group>` in the
   * group's `emit`s.
   */
  emitGroup?(ctx: GroupUpdateContext): GroupUpdate;
}
