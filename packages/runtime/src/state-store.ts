import type { TensorValue } from '@anneal/onnx';
import type { Feeds } from './session.js';
import { TensorMismatchError, UnknownStateError } from './errors.js';
import { fromOrtTensorAsync, toOrtTensor, type OrtTensor } from './tensor-convert.js';

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Named tensors (parameters, optimizer state) kept between train steps as ORT tensors, so the
 * outputs of step k are fed to step k+1 as they are, with no conversion back to JS values.
 * The store owns its tensors: a replaced tensor that lives on a GPU is disposed.
 *
 * @example
 * const state = new StateStore({ w: initialW, 'w.momentum': zeros });
 * for (const batch of batches) {
 *   const out = await session.run({ ...state.feeds(), x: batch.x, lr });
 *   state.update(out, { w_new: 'w', 'w.momentum_new': 'w.momentum' });
 * }
 * const w = await state.get('w');
 */
export class StateStore {
  private readonly tensors = new Map<string, OrtTensor>();

  constructor(initial: Record<string, TensorValue>) {
    for (const [name, value] of Object.entries(initial)) this.tensors.set(name, toOrtTensor(value, name));
  }

  /** State names in insertion order. */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  /** Whether a state tensor of this name exists. */
  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** All state tensors keyed by state name, ready to spread into `session.run` feeds. */
  feeds(): Record<string, OrtTensor> {
    return Object.fromEntries(this.tensors);
  }

  /**
   * Writes every state tensor into `target` under its state name (no intermediate object), e.g.
   * into the feeds object of the next run.
   */
  addFeeds(target: Feeds): void {
    for (const [name, t] of this.tensors) target[name] = t;
  }

  /** The ORT tensor currently held for `name`. */
  tensor(name: string): OrtTensor {
    const t = this.tensors.get(name);
    if (!t) throw new UnknownStateError(`state '${name}' does not exist; known states: [${this.names().join(', ')}].`);
    return t;
  }

  /**
   * Replaces state tensors with run outputs: `mapping` maps output name -> state name. Every
   * pair is checked (output present, state known, same element type and shape) before anything
   * changes, so a bad mapping leaves the store untouched.
   */
  update(outputs: Record<string, OrtTensor>, mapping: Record<string, string>): void {
    const pairs = Object.entries(mapping);
    for (let i = 0; i < pairs.length; i++) {
      const [outputName, stateName] = pairs[i]!;
      const next = outputs[outputName];
      if (!next) {
        throw new UnknownStateError(
          `output '${outputName}' (mapped to state '${stateName}') is not among the run outputs [${Object.keys(outputs).join(', ')}]; request it in session.run or fix the mapping.`,
        );
      }
      const current = this.tensor(stateName);
      if (current.type !== next.type || !sameDims(current.dims, next.dims)) {
        throw new TensorMismatchError(
          `output '${outputName}' is ${next.type}[${next.dims.join(', ')}] but state '${stateName}' is ${current.type}[${current.dims.join(', ')}]; the mapping pairs the wrong tensors.`,
        );
      }
    }
    for (let i = 0; i < pairs.length; i++) {
      const [outputName, stateName] = pairs[i]!;
      const previous = this.tensors.get(stateName)!;
      const next = outputs[outputName]!;
      if (previous !== next && previous.location !== 'cpu' && previous.location !== 'cpu-pinned') previous.dispose();
      this.tensors.set(stateName, next);
    }
  }

  /** Materializes one state tensor as a {@link TensorValue} (downloading it from a GPU if needed). */
  async get(name: string): Promise<TensorValue> {
    return fromOrtTensorAsync(this.tensor(name), name);
  }

  /** Materializes every state tensor, e.g. to write a checkpoint. */
  async values(): Promise<Record<string, TensorValue>> {
    const out: Record<string, TensorValue> = {};
    for (const name of this.tensors.keys()) out[name] = await this.get(name);
    return out;
  }
}
