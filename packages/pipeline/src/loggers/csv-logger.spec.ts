import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnnealEvent, EventOf, PassMetrics } from '@anneal/core';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { csvLogger, parseCsv, quoteCsv } from './csv-logger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'anneal-csv-'));
  dirs.push(d);
  return d;
};

const pass = (mean: number, metrics: Record<string, number>): PassMetrics => ({ loss: { mean, variance: 0.04, std: 0.2, min: 0, max: 1, count: 2 }, metrics });
const epochEnd = (epoch: number, extra: Partial<EventOf<'epoch:end'>> = {}): EventOf<'epoch:end'> => ({ type: 'epoch:end', epoch, step: epoch * 2, train: pass(1 / epoch, { accuracy: 0.5 }), val: pass(0.75, { accuracy: 0.25 }), hyperparameters: { lr: 0.1 }, durationMs: 10, ...extra });
const batch = (step: number): EventOf<'batch:end'> => ({ type: 'batch:end', epoch: Math.floor(step / 2) + 1, batch: step % 2, step, loss: 1 / (step + 1), lr: 0.1, hyperparameters: {} });
const start = (step: number, resumed: boolean): EventOf<'run:start'> => ({ type: 'run:start', epochs: 3, batchesPerEpoch: 2, startEpoch: Math.floor(step / 2) + 1, startBatch: step % 2, step, resumed });

function feed(path: string, events: AnnealEvent[], steps?: string) {
  const logger = csvLogger(path, { steps });
  const subject = new Subject<AnnealEvent>();
  const subscription = logger.attach(subject);
  for (const e of events) subject.next(e);
  subscription.unsubscribe();
  void logger.close?.({ ok: true });
}

describe('CSV quoting', () => {
  it('quotes fields with commas, quotes, line breaks or edge spaces, and parses them back', () => {
    const fields = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', ' padded ', '', 'top-5', 'é'];
    expect(fields.map(quoteCsv)).toEqual(['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\r\nlf"', '" padded "', '', 'top-5', 'é']);
    const text = [fields, ['1', '', '3']].map((r) => r.map(quoteCsv).join(',')).join('\r\n') + '\r\n\n';
    expect(parseCsv(text)).toEqual([fields, ['1', '', '3']]);
    expect(parseCsv('a,\n,b')).toEqual([['a', ''], ['', 'b']]);
  });
});

describe('csvLogger', () => {
  it('writes a row per epoch, with new keys of later epochs as new last columns', () => {
    const dir = tempDir();
    const path = join(dir, 'epochs.csv');
    feed(path, [start(0, false), epochEnd(1, { val: undefined }), epochEnd(2, { hyperparameters: { lr: 0.05, 'hp.momentum': 0.9 }, train: pass(0.5, { accuracy: 0.75, 'top,5': 1 }) })]);
    expect(readFileSync(path, 'utf8')).toBe(
      [
        'epoch,step,train.loss,train.loss.std,train.accuracy,lr,duration_ms,"train.top,5",val.loss,val.accuracy,hp.momentum',
        '1,2,1,0.2,0.5,0.1,10,,,,',
        '2,4,0.5,0.2,0.75,0.05,10,1,0.75,0.25,0.9',
        '',
      ].join('\n'),
    );
  });

  it('writes NaN and infinities as JavaScript and pandas read them', () => {
    const dir = tempDir();
    feed(join(dir, 'e.csv'), [epochEnd(1, { train: pass(NaN, { accuracy: Infinity }), val: pass(-Infinity, {}) })]);
    const [, row] = parseCsv(readFileSync(join(dir, 'e.csv'), 'utf8'));
    expect(row!.slice(2, 6)).toEqual(['NaN', '0.2', 'Infinity', '-Infinity']);
  });

  it('rewrites the files atomically at each epoch end, with a per-step file when asked', () => {
    const dir = tempDir();
    const logger = csvLogger(join(dir, 'epochs.csv'), { steps: join(dir, 'steps.csv') });
    const subject = new Subject<AnnealEvent>();
    logger.attach(subject);
    subject.next(start(0, false));
    subject.next(batch(0));
    subject.next(batch(1));
    expect(readdirSync(dir)).toEqual([]);
    subject.next(epochEnd(1));
    expect(readdirSync(dir).sort()).toEqual(['epochs.csv', 'steps.csv']);
    expect(readFileSync(join(dir, 'steps.csv'), 'utf8')).toBe('step,epoch,batch,loss,lr\n0,1,0,1,0.1\n1,1,1,0.5,0.1\n');
    void logger.close?.({ ok: true });
  });

  it('on a resumed run keeps the rows before the checkpoint and drops the orphans', () => {
    const dir = tempDir();
    const epochs = join(dir, 'epochs.csv');
    const steps = join(dir, 'steps.csv');
    // the first process reached step 5 (epoch 3) after a checkpoint at step 3 (epoch 2, mid-epoch)
    feed(epochs, [start(0, false), batch(0), batch(1), epochEnd(1, { train: pass(1, { 'a "b"': 1 }) }), batch(2), batch(3), epochEnd(2), batch(4), batch(5)], steps);
    feed(epochs, [start(3, true), batch(3), epochEnd(2), batch(4), batch(5), epochEnd(3)], steps);
    expect(parseCsv(readFileSync(steps, 'utf8')).map((r) => r[0])).toEqual(['step', '0', '1', '2', '3', '4', '5']);
    const rows = parseCsv(readFileSync(epochs, 'utf8'));
    expect(rows.map((r) => r[0])).toEqual(['epoch', '1', '2', '3']);
    expect(rows[0]).toContain('train.a "b"');
  });
});
