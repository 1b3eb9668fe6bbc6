/**
 * The contract a population-based-training member implements: train one interval and report a
 * score, save and load a full checkpoint (weights, optimizer and schedule state, step count,
 * data position), and expose its hyperparameters.
 */
import type { ParamValue } from '../types.js';

/**
 * One member of a population. The controller calls, per generation: `load` (only after an
 * exploit, or when resuming), `setHyperparameters`, `train`, `save`. A checkpoint must restore
 * the member exactly (what `train` does next depends only on the checkpoint and the
 * hyperparameters): that is what makes exploits faithful and resumes exact.
 *
 * @example
 * ```ts
 * const member: PbtMember = {
 *   hyperparameters: () => ({ lr }),
 *   setHyperparameters: (h) => void (lr = h.lr as number),
 *   train: async () => { await session.stepMany(nextBatches(), { lr }); return (await session.evaluate(val)).accuracy; },
 *   save: (path) => session.saveCheckpoint(path, { step: String(session.steps) }),
 *   load: async (path) => { const c = loadCheckpoint(path); await session.restoreState(c.tensors, Number(c.metadata.step)); },
 * };
 * ```
 */
export interface PbtMember {
  /** Trains one interval with the current hyperparameters and returns the score to rank members by. */
  train(): Promise<number>;
  /** Writes a full checkpoint to `path` (a file path the controller chooses; its folder exists). */
  save(path: string): Promise<void>;
  /** Restores the state written by `save` (of this member or of another one being copied). */
  load(path: string): Promise<void>;
  hyperparameters(): Readonly<Record<string, ParamValue>>;
  setHyperparameters(values: Readonly<Record<string, ParamValue>>): void;
  /** Frees sessions and memory when the run ends. */
  release?(): Promise<void>;
}
