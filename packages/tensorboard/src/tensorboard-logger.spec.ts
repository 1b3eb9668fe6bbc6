import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnnealEvent, EventOf, PassMetrics } from '@anneal/core';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEvent } from './event.js';
import { dropEventsAfter, listEventFiles, readEventFile } from './event-files.js';
import { readEvents, scalarSeries } from './read-events.js';
import { tensorboardLogger } from './tensorboard-logger.js';
import { readRecords } from './tfrecord.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'anneal-tb-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const pass = (mean: number, accuracy: number): PassMetrics => ({ loss: { mean, variance: 0.01, std: 0.1, min: mean - 0.1, max: mean + 0.1, count: 3 }, metrics: { accuracy } });
const start = (step = 0, resumed = false): EventOf<'run:start'> => ({ type: 'run:start', epochs: 2, batchesPerEpoch: 3, startEpoch: Math.floor(step / 3), startBatch: step % 3, step, resumed });
const batch = (step: number, extra: Partial<EventOf<'batch:end'>> = {}): EventOf<'batch:end'> => ({ type: 'batch:end', epoch: Math.floor(step / 3), batch: step % 3, step, loss: 1 / (step + 1), lr: 0.1, hyperparameters: { 'hp.momentum': 0.9 }, ...extra });
const epochEnd = (epoch: number): EventOf<'epoch:end'> => ({ type: 'epoch:end', epoch, step: (epoch + 1) * 3, train: pass(1 - epoch / 4, 0.5), val: pass(0.9 - epoch / 4, 0.6), hyperparameters: { lr: 0.1 }, durationMs: 5 });

/** A clock that advances 1 s per call unless told otherwise. */
const clock = (t0 = 1_700_000_000_000) => {
  let t = t0;
  return { now: () => (t += 1000), set: (ms: number) => void (t = ms) };
};

function run(dir: string, events: AnnealEvent[], options: Parameters<typeof tensorboardLogger>[1] = {}, close = true) {
  const logger = tensorboardLogger(dir, { host: 'test-host', ...options });
  const subject = new Subject<AnnealEvent>();
  const subscription = logger.attach(subject);
  for (const e of events) subject.next(e);
  subscription.unsubscribe();
  if (close) void logger.close?.({ ok: true });
  return logger;
}

const allSeries = (dir: string) => scalarSeries(listEventFiles(dir).flatMap(readEventFile));

describe('tensorboardLogger', () => {
  it('writes step scalars at updates applied and epoch scalars at the epoch end step, after a file version record', () => {
    const dir = tempDir();
    const norms = { 'fc.weight': { grad: 0.5, weight: 2, update: 0.002 } };
    const logger = run(dir, [start(), batch(0), batch(1, { norms, globalGradNorm: 0.5 }), batch(2), epochEnd(0), { type: 'run:end', epochs: 1, steps: 3, stopped: false, durationMs: 9 }], { norms: true, now: clock().now });
    const files = listEventFiles(dir);
    expect(files).toEqual([logger.file]);
    expect(logger.file).toMatch(/events\.out\.tfevents\.1700000001\.test-host$/);
    const events = readEventFile(files[0]!);
    expect(events[0]).toEqual({ wallTime: 1700000001, step: 0, fileVersion: 'brain.Event:2' });
    const series = scalarSeries(events);
    const points = (tag: string) => series[tag]?.map((p) => [p.step, p.value]);
    expect(points('train/loss')).toEqual([1, 2, 3].map((s) => [s, Math.fround(1 / s)]));
    expect(points('lr')).toEqual([1, 2, 3].map((s) => [s, Math.fround(0.1)]));
    expect(points('hp/momentum')).toEqual([1, 2, 3].map((s) => [s, Math.fround(0.9)]));
    expect(points('train/grad_norm')).toEqual([[2, 0.5]]);
    expect(points('grad_norm/fc.weight')).toEqual([[2, 0.5]]);
    expect(points('update_ratio/fc.weight')).toEqual([[2, Math.fround(0.001)]]);
    expect(points('train/loss_mean')).toEqual([[3, 1]]);
    expect(points('train/loss_std')).toEqual([[3, Math.fround(0.1)]]);
    expect(points('train/accuracy')).toEqual([[3, 0.5]]);
    expect(points('val/loss')).toEqual([[3, Math.fround(0.9)]]);
    expect(points('val/accuracy')).toEqual([[3, Math.fround(0.6)]]);
  });

  it('writes nothing for a skipped batch, and only epoch scalars with steps: false', () => {
    const dir = tempDir();
    run(dir, [start(), batch(0, { loss: NaN, lr: NaN, skipped: true }), batch(1), epochEnd(0)]);
    expect(allSeries(dir)['train/loss']!.map((p) => p.step)).toEqual([2]);
    const only = tempDir();
    run(only, [start(), batch(0), batch(1), epochEnd(0)], { steps: false });
    expect(Object.keys(allSeries(only)).sort()).toEqual(['train/accuracy', 'train/loss_mean', 'train/loss_std', 'val/accuracy', 'val/loss']);
  });

  it('flushes at epoch ends, before checkpoints and every flushSeconds, fsynced appends to one file', () => {
    const dir = tempDir();
    const c = clock();
    const logger = tensorboardLogger(dir, { host: 'h', now: c.now, flushSeconds: 10 });
    const subject = new Subject<AnnealEvent>();
    logger.attach(subject);
    const onDisk = () => scalarSeries(readEvents(readFileSync(logger.file!)))['train/loss']?.length ?? 0;
    subject.next(start());
    subject.next(batch(0));
    expect(onDisk()).toBe(0); // 2 s since the last flush
    c.set(Date.UTC(2030, 0, 1));
    subject.next(batch(1));
    expect(onDisk()).toBe(2); // 10 s passed
    subject.next(batch(2));
    subject.next({ type: 'checkpoint:start', path: 'last.safetensors', epoch: 0, step: 3, reason: 'every-steps' });
    expect(onDisk()).toBe(3);
    subject.next(epochEnd(0));
    expect(scalarSeries(readEvents(readFileSync(logger.file!)))['val/loss']).toHaveLength(1);
    void logger.close?.({ ok: true });
  });

  it('never writes over an existing file: a second writer in the same second gets another name', () => {
    const dir = tempDir();
    const a = run(dir, [start(), batch(0)], { now: () => 1_700_000_000_000 });
    const b = run(dir, [start(), batch(0)], { now: () => 1_700_000_000_000 });
    expect(a.file).not.toBe(b.file);
    expect(listEventFiles(dir)).toEqual([a.file, b.file]);
    expect(b.file).toMatch(/tfevents\.1700000000\.test-host\.1$/);
  });

  it('on a resumed run, drops the orphaned steps from older files, starts a new file with a SessionLog START, and shows each step once', () => {
    const dir = tempDir();
    const c = clock();
    // the first process checkpoints after 3 updates (epoch 0), writes epoch 1's first two steps and a torn record, then dies
    const first = run(dir, [start(), batch(0), batch(1), batch(2), epochEnd(0), { type: 'checkpoint:start', path: 'last', epoch: 1, step: 3, reason: 'epoch' }, batch(3), batch(4)], { now: c.now, flushSeconds: 0 }, false);
    appendFileSync(first.file!, Uint8Array.from([0x20, 0, 0, 0, 0, 0]));
    expect(() => readEventFile(first.file!)).toThrow(/cut short/);
    expect(allSeriesLenient(dir)['train/loss']!.map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
    const second = run(dir, [start(3, true), batch(3), batch(4), batch(5), epochEnd(1), { type: 'run:end', epochs: 2, steps: 6, stopped: false, durationMs: 1 }], { now: c.now });
    const files = listEventFiles(dir);
    expect(files).toEqual([first.file, second.file]);
    // the first file now ends at the checkpoint (and reads without error: the torn record is gone)
    expect(scalarSeries(readEventFile(first.file!))['train/loss']!.map((p) => p.step)).toEqual([1, 2, 3]);
    const resumed = readEventFile(second.file!);
    expect(resumed[1]).toMatchObject({ step: 4, sessionLog: { status: 'start' } });
    const series = allSeries(dir);
    expect(series['train/loss']!.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(series['val/loss']!.map((p) => p.step)).toEqual([3, 6]);
  });

  it('leaves a damaged older file as it was and says so', () => {
    const dir = tempDir();
    const first = run(dir, [start(), batch(0), batch(1)], { now: clock().now });
    const bytes = readFileSync(first.file!);
    bytes[bytes.length - 2] ^= 0xff;
    writeFileSync(first.file!, bytes);
    const warnings: string[] = [];
    run(dir, [start(1, true), batch(1)], { now: clock(1_800_000_000_000).now, onWarning: (m) => warnings.push(m) });
    expect(readFileSync(first.file!).equals(bytes)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/left a damaged event file as it was .*the CRC of its \d+ data bytes does not match/);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('dropEventsAfter keeps files that need no change untouched', () => {
    const dir = tempDir();
    const first = run(dir, [start(), batch(0), batch(1)], { now: clock().now });
    const before = readFileSync(first.file!);
    expect(dropEventsAfter(dir, 2)).toEqual({ rewritten: [], damaged: [] });
    expect(readFileSync(first.file!).equals(before)).toBe(true);
    expect(dropEventsAfter(dir, 1).rewritten).toEqual([first.file]);
  });
});

/** The series of a folder whose files may end in a torn record (read up to it). */
const allSeriesLenient = (dir: string) => scalarSeries(listEventFiles(dir).flatMap((f) => readRecords(readFileSync(f)).records.map((r) => decodeEvent(r))));
