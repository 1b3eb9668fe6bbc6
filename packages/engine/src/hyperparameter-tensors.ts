import { DataType } from '@anneal/onnx';
import { followBaseLr, OptimConfigError, optimNames, type HyperparameterInput } from '@anneal/optim';
import { toOrtTensor, type OrtTensor } from '@anneal/runtime';

/** What one step asks for: base learning rate and explicit overrides by input name. */
export interface HyperparameterRequest {
  readonly lr?: number;
  readonly values?: Readonly<Record<string, number>>;
}

/**
 * The scalar hyperparameter feeds of a train step, computed from the inputs the compiled update
 * describes (`hyperparameterInputs` of @anneal/optim), with the same rules as `hyperparameterFeeds` (defaults < base-lr-derived group rates < step count
 * < explicit values) but with everything static resolved once: each input is one 0-d float32
 * ORT tensor whose single element is rewritten in place before a run, so a step allocates only
 * the small record of the group rates that follow the base lr (`followBaseLr`, the one place
 * that rule is written) and re-validates nothing but the names in `values`.
 *
 * The tensors are shared between runs: write, run, await, then write again (never two runs in
 * flight on one instance).
 *
 * @example
 * const hp = new HyperparameterTensors(update.hyperparameters);
 * hp.write(7, { lr: schedule.valueAt(6) });
 * const feeds = { ...state, ...hp.tensors, x };
 */
export class HyperparameterTensors {
  /** Input name -> its 0-d tensor; the same objects every step. */
  readonly tensors: Readonly<Record<string, OrtTensor>>;
  /** Input names in declaration order. */
  readonly names: readonly string[];
  private readonly cells: Float32Array[];
  private readonly defaults: number[];
  private readonly index = new Map<string, number>();
  /** The inputs the update describes (which rates follow the base lr, and by what scale). */
  private readonly inputs: readonly HyperparameterInput[];
  private readonly stepCell: Float32Array | undefined;

  /** `inputs`: what the compiled update describes (`OptimizerUpdate.hyperparameters`, or `hyperparameterInputs(config)`). */
  constructor(inputs: readonly HyperparameterInput[]) {
    const tensors: Record<string, OrtTensor> = {};
    this.names = inputs.map((h) => h.name);
    this.defaults = inputs.map((h) => h.value);
    this.cells = inputs.map((h, i) => {
      const cell = Float32Array.of(h.value);
      tensors[h.name] = toOrtTensor({ dataType: DataType.FLOAT, dims: [], data: cell }, h.name);
      this.index.set(h.name, i);
      return cell;
    });
    this.tensors = tensors;
    this.inputs = inputs;
    const stepIndex = this.index.get(optimNames.hyperparameter('step'));
    this.stepCell = stepIndex === undefined ? undefined : this.cells[stepIndex];
  }

  /** Whether the step count is one of the inputs (Adam's bias correction, for example). */
  get hasStep(): boolean {
    return this.stepCell !== undefined;
  }

  /**
   * Writes the values of update number `step` (1-based). Unknown names in `values` throw an
   * `OptimConfigError` before anything is written.
   */
  write(step: number, request: HyperparameterRequest = {}): void {
    const values = request.values;
    if (values) for (const name in values) if (Object.hasOwn(values, name) && !this.index.has(name)) this.unknown(name);
    const cells = this.cells;
    for (let i = 0; i < cells.length; i++) cells[i]![0] = this.defaults[i]!;
    const lr = request.lr;
    if (lr !== undefined) {
      // group rates that follow the base lr: the one rule, in @anneal/optim
      const follow = followBaseLr(this.inputs, lr);
      for (const name in follow) cells[this.index.get(name)!]![0] = follow[name]!;
    }
    if (this.stepCell) this.stepCell[0] = step;
    if (values) for (const name in values) if (Object.hasOwn(values, name)) cells[this.index.get(name)!]![0] = values[name]!;
  }

  /** The values as plain numbers (after float32 rounding), by input name. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    this.names.forEach((n, i) => (out[n] = this.cells[i]![0]!));
    return out;
  }

  private unknown(name: string): never {
    throw new OptimConfigError(`values['${name}']`, `no such hyperparameter input; known: ${this.names.join(', ')}`);
  }
}
