import { describe, expect, it } from 'vitest';
import { describeStorageConformance } from '@anneal/testing';
import { MemoryStorage } from './memory-storage.js';

describeStorageConformance('MemoryStorage', async () => {
  const storage = new MemoryStorage();
  return { storage, cleanup: () => storage.close() };
});

describe('MemoryStorage', () => {
  it('returns snapshots: a getTrials array does not change when trials move on', async () => {
    const s = new MemoryStorage();
    await s.createStudy('x', 'minimize');
    const t = await s.startTrial('x', 'w');
    const before = await s.getTrials('x');
    await s.setParam(t.id, 'a', { kind: 'int', low: 0, high: 3 }, 2);
    await s.finishTrial(t.id, 'complete', { value: 1 });
    await s.startTrial('x', 'w');
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ state: 'running', params: {} });
    expect((await s.getTrials('x'))[0]).toMatchObject({ state: 'complete', params: { a: 2 }, value: 1 });
  });

  it('names the missing study', async () => {
    const s = new MemoryStorage();
    await expect(s.startTrial('ghost', 'w')).rejects.toThrow(/memory storage: no study 'ghost'; create it first/);
  });
});
