import { describe, expect, it } from 'vitest';
import { curvesFromRecords } from './curves-from-records.js';
import { CurvesError, DiagnosticsError } from './errors.js';

const loss = (mean: number, std = 0.1) => ({ mean, variance: std * std, std, min: mean - std, max: mean + std, count: 2 });

/** Two epochs of two batches, as the CLI's MetricsLog writes them (epochs numbered from 1, steps from 0; lr in hyperparameters as `lr`). */
const twoEpochs = [
  { kind: 'batch', epoch: 1, batch: 0, step: 0, loss: 2.3, lr: 0.1 },
  { kind: 'batch', epoch: 1, batch: 1, step: 1, loss: 1.9, lr: 0.1, norms: { 'fc.weight': { grad: 1, weight: 10, update: 0.01 }, 'fc.bias': { grad: 1, weight: 0, update: 0.1 } } },
  { kind: 'epoch', epoch: 1, step: 2, train: { loss: loss(2.1), metrics: { accuracy: 0.3 } }, val: { loss: loss(1.8, 0), metrics: { accuracy: 0.4 } }, hyperparameters: { lr: 0.1 }, durationMs: 5 },
  { kind: 'batch', epoch: 2, batch: 0, step: 2, loss: 1.5, lr: 0.1 },
  { kind: 'batch', epoch: 2, batch: 1, step: 3, loss: 1.2, lr: 0.01 },
  { kind: 'epoch', epoch: 2, step: 4, train: { loss: loss(1.35), metrics: { accuracy: 0.6 } }, val: { loss: loss(1.3, 0), metrics: { accuracy: 0.55 } }, hyperparameters: { lr: 0.01 }, durationMs: 5 },
];

describe('curvesFromRecords', () => {
  it('reads batch, epoch and norm lines', () => {
    const curves = curvesFromRecords(twoEpochs, { plannedEpochs: 2, classes: 10 });
    expect(curves.batches).toEqual([
      { step: 0, epoch: 1, loss: 2.3, lr: 0.1 },
      { step: 1, epoch: 1, loss: 1.9, lr: 0.1 },
      { step: 2, epoch: 2, loss: 1.5, lr: 0.1 },
      { step: 3, epoch: 2, loss: 1.2, lr: 0.01 },
    ]);
    expect(curves.epochs).toEqual([
      { epoch: 1, step: 2, trainLoss: 2.1, trainLossStd: 0.1, valLoss: 1.8, trainAccuracy: 0.3, valAccuracy: 0.4, lr: 0.1 },
      // the epoch's lr is its last batch's lr
      { epoch: 2, step: 4, trainLoss: 1.35, trainLossStd: 0.1, valLoss: 1.3, trainAccuracy: 0.6, valAccuracy: 0.55, lr: 0.01 },
    ]);
    // update / weight; the zero-weight bias is skipped
    expect(curves.ratios).toEqual([{ step: 1, ratios: { 'fc.weight': 0.001 } }]);
    expect(curves.divergence).toBeUndefined();
    expect(curves.finished).toBe(true);
    expect(curves.plannedEpochs).toBe(2);
    expect(curves.classes).toBe(10);
  });

  it('takes an epoch-only lr from hp.lr.default, and leaves absent fields out', () => {
    const curves = curvesFromRecords([{ kind: 'epoch', epoch: 1, step: 100, train: { loss: loss(0.5), metrics: {} }, hyperparameters: { 'hp.lr.default': 0.003, 'hp.lr.head': 0.03 }, durationMs: 1 }]);
    expect(curves.epochs).toEqual([{ epoch: 1, step: 100, trainLoss: 0.5, trainLossStd: 0.1, lr: 0.003 }]);
    expect(curves.batches).toEqual([]);
    expect(Object.keys(curves)).not.toContain('divergence');
  });

  it('marks a null (non-finite) batch loss as a divergence at that step and drops the point', () => {
    const curves = curvesFromRecords([
      { kind: 'batch', epoch: 1, batch: 0, step: 0, loss: 2.3, lr: 1 },
      { kind: 'batch', epoch: 1, batch: 1, step: 1, loss: null, lr: 1 },
    ]);
    expect(curves.batches.map((b) => b.step)).toEqual([0]);
    expect(curves.divergence).toEqual({ step: 1, epoch: 1, message: 'non-finite loss at step 1 (epoch 1)' });
    expect(curves.finished).toBe(true);
  });

  it('reads an error line as the divergence, with its code, message and tensor; the earliest wins', () => {
    const curves = curvesFromRecords([
      { kind: 'batch', epoch: 3, batch: 0, step: 40, loss: 0.9, lr: 1 },
      { kind: 'error', step: 57, epoch: 3, code: 'NON_FINITE', message: 'loss is NaN', tensor: 'fc1.weight' },
      { kind: 'error', step: 60, code: 'OTHER', message: 'later' },
    ]);
    expect(curves.divergence).toEqual({ step: 57, epoch: 3, message: 'NON_FINITE: loss is NaN', tensor: 'fc1.weight' });
  });

  it('prefers the error line over a null loss at the same step; an error without step follows the last batch', () => {
    const same = curvesFromRecords([
      { kind: 'batch', epoch: 1, batch: 3, step: 3, loss: null, lr: 1 },
      { kind: 'error', step: 3, code: 'NON_FINITE', message: 'NaN in logits', tensor: 'logits' },
    ]);
    expect(same.divergence).toEqual({ step: 3, message: 'NON_FINITE: NaN in logits', tensor: 'logits' });
    const noStep = curvesFromRecords([{ kind: 'batch', epoch: 1, batch: 0, step: 7, loss: 1, lr: 1 }, { kind: 'error', code: 'DIVERGED', message: 'stopped' }]);
    expect(noStep.divergence?.step).toBe(8);
  });

  it('ignores unknown kinds and sorts by step / epoch', () => {
    const curves = curvesFromRecords([
      { kind: 'batch', epoch: 1, batch: 1, step: 1, loss: 1, lr: 1 },
      { kind: 'checkpoint', path: 'x' },
      { kind: 'batch', epoch: 1, batch: 0, step: 0, loss: 2, lr: 1 },
    ]);
    expect(curves.batches.map((b) => b.step)).toEqual([0, 1]);
  });

  it('is unfinished while fewer than the planned epochs are logged, unless told otherwise', () => {
    const epochLine = { kind: 'epoch', epoch: 1, step: 10, train: { loss: loss(1), metrics: {} }, hyperparameters: {}, durationMs: 1 };
    expect(curvesFromRecords([epochLine], { plannedEpochs: 5 }).finished).toBe(false);
    expect(curvesFromRecords([epochLine], { plannedEpochs: 5, finished: true }).finished).toBe(true);
    expect(curvesFromRecords([epochLine]).finished).toBe(true);
  });

  it('throws a CurvesError naming the line and field of a malformed line', () => {
    const bad = (records: unknown[]) => {
      try {
        curvesFromRecords(records);
      } catch (e) {
        return e;
      }
      throw new Error('expected a throw');
    };
    const notObject = bad([twoEpochs[0], 'oops']);
    expect(notObject).toBeInstanceOf(CurvesError);
    expect(notObject).toBeInstanceOf(DiagnosticsError);
    expect(notObject).toMatchObject({ code: 'CURVES', line: 2 });
    expect((notObject as Error).message).toMatch(/^metrics\.jsonl line 2: expected a JSON object, got "oops"; fix or delete that line$/);

    const noKind = bad([{ step: 1 }]);
    expect(noKind).toMatchObject({ line: 1, field: 'kind' });

    const stringLoss = bad([twoEpochs[0], { kind: 'batch', epoch: 1, batch: 1, step: 1, loss: '1.2', lr: 0.1 }]);
    expect(stringLoss).toMatchObject({ line: 2, field: 'loss' });
    expect((stringLoss as Error).message).toContain('line 2, field "loss": must be a number (or null for a non-finite value), got "1.2"');

    const missingStep = bad([{ kind: 'batch', epoch: 1, batch: 0, loss: 1, lr: 0.1 }]);
    expect((missingStep as Error).message).toContain('field "step": must be a finite number, got nothing');

    const missingMean = bad([{ kind: 'epoch', epoch: 1, step: 3, train: { loss: {}, metrics: {} }, hyperparameters: {} }]);
    expect(missingMean).toMatchObject({ line: 1, field: 'train.loss.mean' });

    const badNorm = bad([{ kind: 'batch', epoch: 1, batch: 0, step: 0, loss: 1, lr: 0.1, norms: { w: { grad: 1, weight: 'x', update: 1 } } }]);
    expect(badNorm).toMatchObject({ field: 'norms.w.weight' });
  });
});
