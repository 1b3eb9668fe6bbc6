import type { TrainerState } from './checkpoint-state.js';
import { TrainerError } from './errors.js';

/**
 * A checkpoint's Trainer state does not fit the run resuming it: a position outside the run
 * (epoch past `epochs`, batch past the epoch), counters that contradict each other, or data
 * (batches per epoch, batch size, examples) other than the checkpoint was written with. Resuming
 * would train on the wrong examples or skip training silently, so nothing is restored.
 */
export class ResumeMismatchError extends TrainerError {
  override readonly code = 'RESUME_MISMATCH';
  constructor(path: string, detail: string) {
    super(path, `cannot be resumed by this run: ${detail}`);
    this.name = 'ResumeMismatchError';
  }
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** What a checkpoint is checked against: the run's epochs, its batches per epoch and its data facts. */
export interface ResumeTarget {
  epochs: number;
  batchesPerEpoch: number;
  data?: Readonly<Record<string, number>>;
}

/**
 * Checks the position and counters of a checkpoint's Trainer state against the run that resumes
 * it, and that the data it recorded is the run's: throws {@link ResumeMismatchError} naming the
 * field, the saved value and the run's.
 */
export function checkResumeState(path: string, state: TrainerState, run: ResumeTarget): void {
  const fail = (detail: string): never => {
    throw new ResumeMismatchError(path, `${detail}; resume with the run's own config.json and data, or start a new run`);
  };
  for (const field of ['epoch', 'batch', 'step', 'backendSteps'] as const) {
    if (!count(state[field])) fail(`its ${field} is ${JSON.stringify(state[field])}, not a count`);
  }
  if (!Array.isArray(state.history) || !Array.isArray(state.schedules) || typeof state.callbacks !== 'object' || state.callbacks === null) fail('its history, schedules or callbacks are missing');
  const saved = { ...state.data };
  const current: Record<string, number> = { ...run.data, batchesPerEpoch: run.batchesPerEpoch };
  for (const [key, value] of Object.entries(saved)) {
    if (key in current && current[key] !== value) fail(`it was written with ${key} ${value}, this run has ${key} ${current[key]}`);
  }
  const perEpoch = run.batchesPerEpoch;
  if (state.epoch > run.epochs) fail(`it is at epoch ${state.epoch} of a run of ${run.epochs} epochs`);
  if (state.batch >= perEpoch) fail(`it is at batch ${state.batch} of an epoch of ${perEpoch} batches`);
  if (state.epoch === run.epochs && state.batch > 0) fail(`it is at batch ${state.batch} after the last epoch`);
  if (state.step !== state.epoch * perEpoch + state.batch) fail(`its step ${state.step} is not epoch ${state.epoch} x ${perEpoch} batches + batch ${state.batch} = ${state.epoch * perEpoch + state.batch} (batches per epoch changed, or the file was edited)`);
  if (state.backendSteps > state.step) fail(`it counts ${state.backendSteps} optimizer updates after ${state.step} batches`);
  if (state.history.length !== state.epoch) fail(`it holds ${state.history.length} finished epoch(s) but is at epoch ${state.epoch}`);
}
