import { describe, expect, it } from 'vitest';
import { charEdits, duplicateKeyTexts, fuzzRandom, fuzzSummary, jsonFieldMutations, runFuzz, textTruncations, type Mutant } from '@anneal/testing/fuzz';
import { decodeCheckpoint, TRAINER_STATE_KEY, type TrainerState } from './checkpoint-state.js';
import { TrainerError } from './errors.js';

// Damaged Trainer state in a checkpoint's metadata (hand edits, cut files): each must give a
// TrainerError naming the checkpoint, or state whose every field has the type the Trainer reads.

const state: TrainerState = {
  version: 2,
  epoch: 1,
  batch: 3,
  step: 11,
  backendSteps: 11,
  finished: false,
  trainLoss: [3, 0.5, 0.02, 0.4, 0.61],
  trainMetrics: { accuracy: [2, 3] },
  epochStartedSkips: 0,
  schedules: [null, { best: 0.3, bad: 1 }],
  callbacks: { earlyStopping: { best: 0.25, wait: 0 } },
  history: [{ type: 'epoch:end', epoch: 1, step: 8, train: { loss: { mean: 0.7 } } } as unknown as TrainerState['history'][number]],
};

const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** What the Trainer relies on when it restores (an independent statement of the shape). */
function verify(_: string, r: { state: TrainerState }): string | undefined {
  const s = r.state;
  if (!['epoch', 'batch', 'step', 'backendSteps', 'epochStartedSkips'].every((k) => count(s[k as keyof TrainerState]))) return 'a counter is not an integer >= 0';
  if (typeof s.finished !== 'boolean') return 'finished is not a boolean';
  if (!Array.isArray(s.trainLoss) || s.trainLoss.length !== 5 || !count(s.trainLoss[0])) return 'trainLoss is not [n, mean, m2, min, max]';
  if (!Array.isArray(s.schedules) || !Array.isArray(s.history) || s.history.some((h) => !count((h as { epoch?: unknown })?.epoch))) return 'schedules/history are not lists of the right entries';
  if (typeof s.callbacks !== 'object' || s.callbacks === null || Array.isArray(s.callbacks)) return 'callbacks is not an object';
  if (typeof s.trainMetrics !== 'object' || s.trainMetrics === null || Object.values(s.trainMetrics).some((v) => !Array.isArray(v))) return 'trainMetrics is not an object of lists';
  return undefined;
}

describe('Trainer state fuzz', () => {
  it('damaged anneal.trainer metadata gives a TrainerError naming the checkpoint, accepted state has the right shape', async () => {
    const rng = fuzzRandom(9);
    const text = JSON.stringify(state);
    const cases: Mutant<string>[] = [
      { name: 'valid', input: text, expect: 'ok' },
      ...jsonFieldMutations(state, rng, 300).map((m) => ({ ...m, input: JSON.stringify(m.input) })),
      ...textTruncations(text, 40),
      ...charEdits(text, 60, rng),
      ...duplicateKeyTexts(state as unknown as Record<string, unknown>, { mustRefuse: false }),
      ...['null', '[]', '42', '"state"', '{}', '{"version":2}', '{"version":1}', '{"version":"2"}', ''].map((t) => ({ name: `state ${t || '(empty)'}`, input: t, expect: 'error' as const })),
    ];
    const path = 'runs/a/last.safetensors';
    const report = await runFuzz(
      {
        format: 'Trainer state (decodeCheckpoint)',
        run: (raw) => decodeCheckpoint(path, {}, { [TRAINER_STATE_KEY]: raw }),
        typed: (e) => e instanceof TrainerError && e.message.includes(path),
        verify,
        timeoutMs: 1000,
      },
      cases,
    );
    console.log(fuzzSummary(report));
    expect(report.total).toBeGreaterThan(300);
    expect(report.failures, fuzzSummary(report)).toEqual([]);
    expect(() => decodeCheckpoint(path, {}, { [TRAINER_STATE_KEY]: '{"version":2,"epoch":"x"}' })).toThrow(/^runs\/a\/last\.safetensors: has damaged Trainer state \(epoch: /);
  });
});
