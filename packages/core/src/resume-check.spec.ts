import { describe, expect, it } from 'vitest';
import type { TrainerState } from './checkpoint-state.js';
import { checkResumeState, ResumeMismatchError } from './resume-check.js';

const epochEnd = (epoch: number) => ({ type: 'epoch:end', epoch }) as unknown as TrainerState['history'][number];

/** A run of 5 epochs of 7 batches, checkpointed at batch 3 of its third epoch (step 2 x 7 + 3). */
const state = (over: Partial<TrainerState> = {}): TrainerState => ({
  version: 2,
  epoch: 2,
  batch: 3,
  step: 17,
  backendSteps: 17,
  finished: false,
  trainLoss: [0, 0, 0, null, null],
  trainMetrics: {},
  epochStartedSkips: 0,
  schedules: [],
  callbacks: {},
  history: [epochEnd(1), epochEnd(2)],
  data: { batchSize: 16, trainExamples: 105, batchesPerEpoch: 7 },
  ...over,
});
const run = { epochs: 5, batchesPerEpoch: 7, data: { batchSize: 16, trainExamples: 105 } };
const check = (s: TrainerState, r = run) => () => checkResumeState('runs/x/checkpoints/last.safetensors', s, r);

describe('checkResumeState', () => {
  it('accepts the state a run wrote, a finished run, and files written before data facts were recorded', () => {
    expect(check(state())).not.toThrow();
    expect(check(state({ epoch: 5, batch: 0, step: 35, backendSteps: 35, finished: true, history: [1, 2, 3, 4, 5].map(epochEnd) }))).not.toThrow();
    expect(check(state({ data: undefined }))).not.toThrow();
    expect(check(state({ backendSteps: 15 }))).not.toThrow(); // two batches skipped (nonFinite: skip)
  });

  it('refuses positions outside the run and counters that contradict each other, naming the field', () => {
    const cases: [Partial<TrainerState>, RegExp][] = [
      [{ epoch: 999, step: 999 * 7 + 3, history: [] }, /at epoch 999 of a run of 5 epochs/],
      [{ batch: 100000, step: 2 * 7 + 100000 }, /at batch 100000 of an epoch of 7 batches/],
      [{ step: 18 }, /step 18 is not epoch 2 x 7 batches \+ batch 3 = 17/],
      [{ backendSteps: 40 }, /counts 40 optimizer updates after 17 batches/],
      [{ epoch: 5, batch: 3, step: 38, history: [1, 2, 3, 4, 5].map(epochEnd) }, /batch 3 after the last epoch/],
      [{ history: [epochEnd(1)] }, /holds 1 finished epoch\(s\) but is at epoch 2/],
      [{ epoch: -1 }, /its epoch is -1, not a count/],
      [{ batch: 1.5 as number }, /its batch is 1.5, not a count/],
    ];
    for (const [over, message] of cases) {
      const thrown = (() => {
        try {
          check(state(over))();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(thrown, String(message)).toBeInstanceOf(ResumeMismatchError);
      expect((thrown as ResumeMismatchError).code).toBe('RESUME_MISMATCH');
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).toMatch(/^runs\/x\/checkpoints\/last\.safetensors: cannot be resumed by this run: .*; resume with the run's own config.json and data, or start a new run$/);
    }
  });

  it('refuses other data than the checkpoint was written with: batch size, dataset size, batches per epoch', () => {
    expect(check(state(), { ...run, data: { batchSize: 32, trainExamples: 105 } })).toThrow(/written with batchSize 16, this run has batchSize 32/);
    expect(check(state(), { ...run, data: { batchSize: 16, trainExamples: 90 } })).toThrow(/written with trainExamples 105, this run has trainExamples 90/);
    expect(check(state({ data: undefined }), { ...run, batchesPerEpoch: 4 })).toThrow(/at batch 3 of an epoch of 4 batches|step 17 is not epoch 2 x 4/);
  });
});
