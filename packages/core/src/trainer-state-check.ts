import { z } from 'zod';
import { CheckpointStateError } from './errors.js';

// The shape of the Trainer state a checkpoint carries (checkpoint-state.ts), checked before a
// resumed run reads any of it: a hand-edited or damaged `anneal.trainer` entry is a typed error
// naming the checkpoint and the field, never a TypeError halfway through restoring.

const count = z.number().int().nonnegative();
/** JSON numbers that may be null: NaN and Infinity are written as null by JSON.stringify. */
const real = z.number().nullable();

const trainerStateSchema = z.looseObject({
  version: z.literal(2),
  epoch: count,
  batch: count,
  step: count,
  backendSteps: count,
  finished: z.boolean(),
  stopReason: z.string().optional(),
  trainLoss: z.tuple([count, real, real, real, real]),
  trainMetrics: z.record(z.string(), z.array(real)),
  epochStartedSkips: count,
  schedules: z.array(z.json().nullable()),
  callbacks: z.record(z.string(), z.json()),
  history: z.array(z.looseObject({ epoch: count })),
  data: z.record(z.string(), z.number()).optional(),
});

/**
 * Checks parsed Trainer state (version 2) field by field.
 * @throws CheckpointStateError naming `path` and every bad field (e.g. `epoch: expected a number`)
 */
export function checkTrainerState(state: unknown, path: string): void {
  const parsed = trainerStateSchema.safeParse(state);
  if (parsed.success) return;
  const fields = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  throw new CheckpointStateError(path, `has damaged Trainer state (${fields}); the checkpoint was edited or corrupted: resume from another checkpoint of the run, or start the run again`);
}
