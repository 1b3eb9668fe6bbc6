import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStorageConformance } from '@anneal/testing';
import { StorageError, TrialStateError } from '../errors.js';
import { JournalStorage } from './journal-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'anneal-journal-'));
let files = 0;
const journalPath = () => join(dir, `j${files++}.jsonl`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStorageConformance('JournalStorage', async () => {
  const storage = new JournalStorage(journalPath());
  return { storage, cleanup: () => storage.close() };
});

describe('JournalStorage', () => {
  it('shares one study between instances on the same file: dense numbers, each waiting trial claimed once', async () => {
    const path = journalPath();
    const [a, b, c] = [new JournalStorage(path), new JournalStorage(path), new JournalStorage(path)];
    await a.createStudy('s', 'minimize');
    await expect(b.createStudy('s', 'maximize', { loadIfExists: true })).rejects.toThrow(/created to minimize/);
    for (let k = 0; k < 4; k++) await c.enqueueTrial('s', { params: { k } });
    const started = await Promise.all(Array.from({ length: 30 }, (_, i) => [a, b, c][i % 3]!.startTrial('s', `w${i % 3}`)));
    expect(started.map((t) => t.number).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(started.filter((t) => t.params.k !== undefined).map((t) => t.params.k).sort()).toEqual([0, 1, 2, 3]);
    // a finish that lost the race is void and its writer is told
    await a.finishTrial(started[5]!.id, 'complete', { value: 1 });
    await expect(b.finishTrial(started[5]!.id, 'pruned')).rejects.toBeInstanceOf(TrialStateError);
    expect((await c.getTrial(started[5]!.id)).state).toBe('complete');
    await Promise.all([a, b, c].map((s) => s.close()));
  });

  it('replays the same state after reopening, non-finite values included', async () => {
    const path = journalPath();
    const s = new JournalStorage(path);
    await s.createStudy('r', 'maximize');
    await s.setStudyAttr('r', 'note', { a: [1, 'b'] }, 'user');
    const t = await s.startTrial('r', 'w');
    await s.setParam(t.id, 'x', { kind: 'float', low: 0, high: 1 }, 0.1 + 0.2);
    await s.reportIntermediate(t.id, 0, Number.POSITIVE_INFINITY);
    await s.reportIntermediate(t.id, 1, Number.NaN);
    await s.reportIntermediate(t.id, 2, -0);
    await s.finishTrial(t.id, 'complete', { value: Number.NEGATIVE_INFINITY });
    const u = await s.startTrial('r', 'w');
    const before = await s.getTrials('r');
    await s.close();
    const again = new JournalStorage(path);
    expect(await again.getTrials('r')).toEqual(before);
    expect(before[0]).toMatchObject({ value: Number.NEGATIVE_INFINITY, intermediate: { 0: Number.POSITIVE_INFINITY, 1: Number.NaN, 2: -0 }, params: { x: 0.1 + 0.2 } });
    expect(await again.getStudy('r')).toMatchObject({ direction: 'maximize', userAttrs: { note: { a: [1, 'b'] } } });
    expect((await again.startTrial('r', 'w2')).number).toBe(u.number + 1);
    await again.close();
  });

  it('writes one JSON line per operation', async () => {
    const path = journalPath();
    const s = new JournalStorage(path);
    await s.createStudy('l', 'minimize');
    const t = await s.startTrial('l', 'w');
    await s.finishTrial(t.id, 'complete', { value: 2 });
    await s.close();
    const ops = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { op: string }).op);
    expect(ops).toEqual(['createStudy', 'startTrial', 'finish']);
  });

  it('waits for a torn last line to be completed', async () => {
    const path = journalPath();
    const writer = new JournalStorage(path);
    await writer.createStudy('t', 'minimize');
    const reader = new JournalStorage(path);
    const line = JSON.stringify({ op: 'startTrial', study: 't', worker: 'other', n: 'zz0', t: Date.now() });
    appendFileSync(path, line.slice(0, 20));
    expect(await reader.getTrials('t')).toEqual([]);
    appendFileSync(path, `${line.slice(20)}\n`);
    expect((await reader.getTrials('t')).map((t) => t.worker)).toEqual(['other']);
    await Promise.all([writer.close(), reader.close()]);
  });

  it('names the file and line of a corrupt line in the middle', async () => {
    const path = journalPath();
    const good = JSON.stringify({ op: 'createStudy', study: 'c', direction: 'minimize', load: false, n: 'x0', t: 1 });
    writeFileSync(path, `${good}\n{"op":"startTr\n${good}\n`);
    expect(() => new JournalStorage(path)).toThrow(StorageError);
    expect(() => new JournalStorage(path)).toThrow(`${path}:2: line 2 of the journal is not valid JSON`);
    writeFileSync(path, `${good}\n{"op":"rewind","n":"x1","t":2}\n`);
    expect(() => new JournalStorage(path)).toThrow(/unknown operation "rewind" on line 2/);
  });

  it('says where a journal cannot be opened', () => {
    expect(() => new JournalStorage(join(dir, 'missing-dir', 'j.jsonl'))).toThrow(/missing-dir.*cannot open the journal.*directory exists/);
  });
});

describe('JournalStorage torn lines', () => {
  const op = (body: Record<string, unknown>, n: string) => JSON.stringify({ ...body, n, t: Date.now() });
  const create = op({ op: 'createStudy', study: 'torn', direction: 'minimize', load: false }, 'a0');
  const start = op({ op: 'startTrial', study: 'torn', worker: 'dead' }, 'a1');
  const fragment = '{"op":"heartbeat","tri';

  it('repairs a torn last line on opening: a repair line on a new line, the fragment skipped with a warning, by every later reader too', async () => {
    const path = journalPath();
    writeFileSync(path, `${create}\n${start}\n${fragment}`);
    const warnings: string[] = [];
    const s = new JournalStorage(path, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([`${path}:3: skipped a torn line of ${fragment.length} bytes (a writer stopped in the middle of it; repaired by the line after it)`]);
    const t = await s.startTrial('torn', 'w');
    await s.finishTrial(t.id, 'complete', { value: 1 });
    await s.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[2]).toBe(fragment);
    expect(JSON.parse(lines[3]!)).toMatchObject({ op: 'repair', at: create.length + start.length + 2, bytes: fragment.length });
    expect(lines.slice(4).filter(Boolean).map((l) => (JSON.parse(l) as { op: string }).op)).toEqual(['startTrial', 'finish']);
    const again: string[] = [];
    const reopened = new JournalStorage(path, { onWarning: (m) => again.push(m) });
    expect((await reopened.getTrials('torn')).map((x) => [x.number, x.state])).toEqual([
      [0, 'running'],
      [1, 'complete'],
    ]);
    expect(again).toHaveLength(1); // the fragment is skipped again, and not repaired twice
    await reopened.close();
    expect(readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('"repair"'))).toHaveLength(1);
  });

  it('repairs a tear that happens while it is open before its next append', async () => {
    const path = journalPath();
    const warnings: string[] = [];
    const s = new JournalStorage(path, { onWarning: (m) => warnings.push(m) });
    const other = new JournalStorage(path, { onWarning: () => {} });
    await s.createStudy('torn', 'minimize');
    await other.getTrials('torn');
    appendFileSync(path, fragment); // a writer killed in the middle of its line
    expect(await s.getTrials('torn')).toEqual([]); // a reader waits for it to be completed
    const began = Date.now();
    const t = await s.startTrial('torn', 'w'); // an appender waits 200 ms, then repairs
    expect(Date.now() - began).toBeGreaterThanOrEqual(150);
    expect(t.number).toBe(0);
    expect(warnings).toHaveLength(1);
    expect((await other.getTrials('torn')).map((x) => x.worker)).toEqual(['w']);
    await Promise.all([s.close(), other.close()]);
  });

  it('keeps the operation that was glued to a torn fragment (a journal written before the repair existed)', async () => {
    const path = journalPath();
    writeFileSync(path, `${create}\n${fragment}${start}\n`);
    const warnings: string[] = [];
    const s = new JournalStorage(path, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([`${path}:2: skipped a torn fragment of ${fragment.length} bytes (a writer stopped in the middle of a line) that the next operation was appended to; that operation is kept`]);
    expect((await s.getTrials('torn')).map((x) => x.worker)).toEqual(['dead']);
    expect((await s.startTrial('torn', 'w')).number).toBe(1);
    await s.close();
  });

  it('still refuses a damaged line that is neither torn nor glued', () => {
    const path = journalPath();
    writeFileSync(path, `${create}\n${fragment}\n${start}\n`);
    expect(() => new JournalStorage(path, { onWarning: () => {} })).toThrow(`${path}:2: line 2 of the journal is not valid JSON`);
  });
});
