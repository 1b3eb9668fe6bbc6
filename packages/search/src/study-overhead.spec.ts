/** Study machinery overhead: trials/s of a trivial objective with the random sampler (printed, not asserted). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalStorage } from './storage/journal-storage.js';
import { MemoryStorage } from './storage/memory-storage.js';
import { createStudy } from './study.js';
import type { Storage } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'anneal-overhead-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function trialsPerSecond(storage: Storage, n: number): Promise<number> {
  const study = await createStudy('overhead', { storage, seed: 1 });
  const start = performance.now();
  await study.optimize((t) => t.suggestFloat('x', -10, 10) ** 2 + t.suggestInt('k', 0, 9), { nTrials: n });
  const seconds = (performance.now() - start) / 1000;
  expect(await study.trials(['complete'])).toHaveLength(n);
  await study.close();
  return n / seconds;
}

describe('study overhead', () => {
  it('prints trials/s for 1,000 trivial random trials (memory and journal)', async () => {
    await trialsPerSecond(new MemoryStorage(), 200); // warm up the JIT
    const memory = await trialsPerSecond(new MemoryStorage(), 1000);
    const journal = await trialsPerSecond(new JournalStorage(join(dir, 'overhead.jsonl')), 1000);
    console.log(`random sampler, 2 params: memory ${Math.round(memory)} trials/s (target 15,600), journal ${Math.round(journal)} trials/s (target 1,400)`);
  });
});
