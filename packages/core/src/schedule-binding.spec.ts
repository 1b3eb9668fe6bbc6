import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { cosine, reduceOnPlateau } from '@anneal/schedulers';
import { baseLr, requestAt, resolveBindings } from './schedule-binding.js';
import type { HyperparameterSpec } from './backend.js';
import { ofType, snapshot, type AnnealEvent } from './events.js';
import { decodeCheckpoint, encodeCheckpoint, type TrainerState } from './checkpoint-state.js';
import { monitorValue } from './callback.js';
import { DataType } from '@anneal/onnx';

const names: HyperparameterSpec[] = [
  { name: 'hp.lr.default', key: 'lr', group: 'default', value: 0.1, followsBase: true, scale: 1 },
  { name: 'hp.lr.head', key: 'lr', group: 'head', value: 0.5, followsBase: false },
  { name: 'hp.weight_decay.default', key: 'weight_decay', group: 'default', value: 1e-4 },
  { name: 'hp.weight_decay.head', key: 'weight_decay', group: 'head', value: 1e-4 },
  { name: 'hp.momentum', key: 'momentum', value: 0.9 },
  { name: 'hp.step', key: 'step', value: 1 },
];

describe('schedule bindings', () => {
  it('resolve targets to hyperparameter inputs: base lr, per group, every group, full names', () => {
    const r = resolveBindings(
      [
        { target: 'lr', schedule: cosine({ base: 0.1, tMax: 10 }) },
        { target: 'lr', group: 'head', interval: 'epoch', schedule: { valueAt: (e) => 0.01 * (e + 1) } },
        { target: 'weight_decay', schedule: { valueAt: () => 1e-4 } },
        { target: 'hp.momentum', schedule: { valueAt: (t) => 0.85 + t / 1000 } },
      ],
      names,
    );
    expect(r.map((x) => x.inputs)).toEqual([undefined, ['hp.lr.head'], ['hp.weight_decay.default', 'hp.weight_decay.head'], ['hp.momentum']]);
    const req = requestAt(r, 5, 2);
    expect(req.lr).toBeCloseTo(0.05 * (1 + Math.cos(Math.PI * 0.5)), 15);
    expect(req.values).toEqual({ 'hp.lr.head': 0.03, 'hp.weight_decay.default': 1e-4, 'hp.weight_decay.head': 1e-4, 'hp.momentum': 0.855 });
  });

  it('multiplies bindings of the same input (a plateau factor over a cosine)', () => {
    const plateau = reduceOnPlateau({ base: 1, factor: 0.1, patience: 0 });
    const r = resolveBindings([{ target: 'lr', schedule: cosine({ base: 0.1, tMax: 100 }) }, { target: 'lr', interval: 'epoch', schedule: plateau }, { target: 'momentum', schedule: { valueAt: () => 0.9 } }, { target: 'momentum', schedule: { valueAt: () => 0.5 } }], names);
    plateau.observe!(1, 0);
    plateau.observe!(2, 1); // worse: reduce from epoch 2 on
    expect(requestAt(r, 10, 1).lr).toBeCloseTo(0.05 * (1 + Math.cos(Math.PI * 0.1)), 15);
    expect(requestAt(r, 60, 2).lr).toBeCloseTo(0.1 * 0.05 * (1 + Math.cos(Math.PI * 0.6)), 15);
    expect(requestAt(r, 60, 2).values['hp.momentum']).toBeCloseTo(0.45, 15);
  });

  it('names the known inputs when a target matches nothing, and rejects non-finite values', () => {
    expect(() => resolveBindings([{ target: 'beta1', schedule: { valueAt: () => 1 } }], names)).toThrow(/schedules\[0\].*'beta1'.*hp\.momentum/);
    const r = resolveBindings([{ target: 'lr', schedule: { valueAt: () => NaN } }], names);
    expect(() => requestAt(r, 3, 0)).toThrow(/gave NaN at step 3/);
  });

  it('reads the base lr from the described inputs: a following rate over its scale', () => {
    expect(baseLr(names)).toBe(0.1);
    expect(baseLr([{ name: 'hp.lr.body', key: 'lr', group: 'body', value: 0.03, followsBase: true, scale: 0.3 }])).toBeCloseTo(0.1, 15);
    expect(baseLr([{ name: 'hp.lr.head', key: 'lr', group: 'head', value: 0.5, followsBase: false }])).toBe(0.5);
  });

  it('a plateau schedule keeps its decisions through state()/restore()', () => {
    const p = reduceOnPlateau({ base: 0.1, factor: 0.5, patience: 1 });
    [1, 0.9, 0.95, 0.96].forEach((m, epoch) => p.observe!(m, epoch)); // two epochs without improvement after 0.9
    const q = reduceOnPlateau({ base: 0.1, factor: 0.5, patience: 1 });
    q.restore!(JSON.parse(JSON.stringify(p.state!())));
    expect(q.valueAt(4)).toBe(p.valueAt(4));
    expect(p.valueAt(4)).toBeCloseTo(0.05, 15);
    expect(p.valueAt(1)).toBe(0.1);
  });
});

describe('events and checkpoint state', () => {
  it('ofType narrows; snapshots are deep-frozen copies', () => {
    const s = new Subject<AnnealEvent>();
    const seen: number[] = [];
    s.pipe(ofType('early-stop', 'checkpoint:saved')).subscribe((e) => seen.push(e.step));
    const payload = { epoch: 1, step: 7, by: 'x', reason: 'r' };
    const frozen = snapshot({ type: 'early-stop' as const, ...payload });
    s.next({ type: 'warning', code: 'c', message: 'm' });
    s.next(frozen);
    s.next({ type: 'checkpoint:saved', path: 'p', epoch: 1, step: 9, reason: 'epoch' });
    expect(seen).toEqual([7, 9]);
    expect(Object.isFrozen(frozen)).toBe(true);
    payload.step = 100;
    expect(frozen.step).toBe(7);
  });

  it('checkpoint encoding round-trips backend tensors, callback tensors and the trainer state', () => {
    const t = { dataType: DataType.FLOAT, dims: [2], data: Float32Array.of(1, 2) };
    const state = { version: 2, epoch: 2, batch: 3, step: 33, backendSteps: 32, finished: false, trainLoss: [3, 0.5, 0.1, 0.2, 0.9], trainMetrics: { accuracy: [2, 3] }, epochStartedSkips: 0, schedules: [null], callbacks: { es: { wait: 1 } }, history: [] } as TrainerState;
    const file = encodeCheckpoint({ 'fc.weight': t }, { 'early-stopping': { 'fc.weight': t } }, state);
    expect(Object.keys(file.tensors).sort()).toEqual(['callback/early-stopping/fc.weight', 'fc.weight']);
    const back = decodeCheckpoint('x', file.tensors, file.metadata);
    expect(back.state).toEqual(state);
    expect(Object.keys(back.backend)).toEqual(['fc.weight']);
    expect(Object.keys(back.callbacks['early-stopping']!)).toEqual(['fc.weight']);
    expect(() => decodeCheckpoint('w.safetensors', {}, {})).toThrow(/w\.safetensors: is not a Trainer checkpoint/);
  });

  it('monitorValue reads pass.metric and loss statistics', () => {
    const loss = { mean: 0.5, variance: 0.04, std: 0.2, min: 0.1, max: 0.9, count: 3 };
    const e = { type: 'epoch:end' as const, epoch: 0, step: 3, train: { loss, metrics: { accuracy: 0.8 } }, val: { loss: { ...loss, mean: 0.6 }, metrics: { accuracy: 0.7 } }, hyperparameters: {}, durationMs: 1 };
    expect([monitorValue(e, 'val.loss'), monitorValue(e, 'train.loss.std'), monitorValue(e, 'val.accuracy'), monitorValue(e, 'test.loss')]).toEqual([0.6, 0.2, 0.7, undefined]);
  });
});
