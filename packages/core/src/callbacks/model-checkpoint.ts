import { DEFAULT_MONITOR, monitorValue, type Callback, type JsonValue, type TrainerControl } from '../callback.js';
import { TrainerError } from '../errors.js';
import type { EventOf } from '../events.js';

/** Options of {@link modelCheckpoint}. */
export interface ModelCheckpointOptions {
  monitor?: string;
  mode?: 'min' | 'max';
  /** How many best epochs to keep as weight files (default 1; 0 keeps none). */
  saveTopK?: number;
  /** Also request the resumable checkpoint at every epoch end (default true). */
  saveLast?: boolean;
  /** Directory of the best-k files (default: the Trainer's checkpoint directory). */
  dir?: string;
  key?: string;
}

/**
 * Keeps the weights of the best `saveTopK` epochs by a monitored value as
 * `best-epoch<E>.safetensors` files (worse ones are deleted as better ones arrive) and, with
 * `saveLast`, asks for the resumable checkpoint every epoch.
 *
 * @example
 * modelCheckpoint({ monitor: 'val.accuracy', saveTopK: 3 })
 */
export function modelCheckpoint(options: ModelCheckpointOptions = {}): Callback & { readonly best: readonly { epoch: number; value: number; path: string }[] } {
  const monitor = options.monitor ?? DEFAULT_MONITOR;
  const mode = options.mode ?? (monitor.endsWith('loss') ? 'min' : 'max');
  const topK = options.saveTopK ?? 1;
  if (!Number.isInteger(topK) || topK < 0) throw new TrainerError('modelCheckpoint.saveTopK', `must be an integer >= 0, got ${topK}`);
  let best: { epoch: number; value: number; path: string }[] = [];
  const better = (a: number, b: number) => (mode === 'min' ? a < b : a > b);
  return {
    key: options.key ?? 'model-checkpoint',
    get best() {
      return best;
    },
    async onEpochEnd(e: EventOf<'epoch:end'>, control: TrainerControl) {
      if (options.saveLast ?? true) control.save('model-checkpoint:last');
      if (topK === 0) return;
      const v = monitorValue(e, monitor);
      if (v === undefined) throw new TrainerError('modelCheckpoint.monitor', `'${monitor}' is not produced at epoch ${e.epoch}`);
      if (Number.isNaN(v)) return;
      if (best.length >= topK && !better(v, best[best.length - 1]!.value)) return;
      const dir = options.dir ?? control.checkpointDir;
      if (!dir) throw new TrainerError('modelCheckpoint.dir', 'no directory: set dir, or give the Trainer a checkpoint directory');
      const path = `${dir.replace(/\/$/, '')}/best-epoch${e.epoch}.safetensors`;
      await control.saveWeights(path, { epoch: String(e.epoch), monitor, value: String(v) });
      best.push({ epoch: e.epoch, value: v, path });
      best.sort((a, b) => (better(a.value, b.value) ? -1 : better(b.value, a.value) ? 1 : a.epoch - b.epoch));
      for (const dropped of best.splice(topK)) await control.removeWeights(dropped.path);
    },
    state: (): JsonValue => best.map((b) => ({ ...b })),
    restore(s: JsonValue) {
      best = (s as { epoch: number; value: number; path: string }[]).map((b) => ({ ...b }));
    },
  };
}
