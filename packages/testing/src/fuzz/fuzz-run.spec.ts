import { describe, expect, it } from 'vitest';
import { truncations, integerFieldEdits } from './byte-mutations.js';
import { duplicateKeyTexts, jsonFieldMutations } from './json-mutations.js';
import { fuzzRandom } from './random.js';
import { fuzzSummary, runFuzz } from './fuzz-run.js';

class ParseError extends Error {}

describe('runFuzz', () => {
  it('tells typed errors, correct results, raw errors, hangs and silent wrong results apart', async () => {
    const report = await runFuzz<string, number>(
      {
        format: 'toy',
        run: async (s) => {
          if (s === 'typed') throw new ParseError('toy.txt: bad');
          if (s === 'raw') return (undefined as unknown as { x: number }).x;
          if (s === 'hang') return new Promise<number>(() => {});
          return s.length;
        },
        typed: (e) => e instanceof ParseError,
        verify: (s, n) => (n === s.length ? undefined : 'wrong length'),
        timeoutMs: 50,
      },
      [
        { name: 'a', input: 'typed' },
        { name: 'b', input: 'raw' },
        { name: 'c', input: 'hang' },
        { name: 'd', input: 'fine', expect: 'ok' },
        { name: 'e', input: 'must fail', expect: 'error' },
      ],
    );
    expect(report.counts).toEqual({ typed: 1, ok: 1, raw: 1, hang: 1, wrong: 1 });
    expect(report.failures.map((f) => f.name)).toEqual(['b', 'c', 'e']);
    expect(report.failures[0]!.detail).toMatch(/^raw TypeError: Cannot read properties of undefined/);
    expect(fuzzSummary(report)).toMatch(/^toy: 5 cases, 1 typed errors, 1 correct results; 1 raw errors, 1 hangs, 1 silent wrong results/);
  });

  it('generates the same cases from the same seed', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(truncations(bytes, [8, 31]).map((m) => m.input.length)).toEqual([0, 7, 8, 9, 30, 31]);
    expect(integerFieldEdits(bytes, 0, 8, 'length').length).toBeGreaterThan(5);
    const a = jsonFieldMutations({ lr: 0.1, sizes: [1, 2] }, fuzzRandom(1), 20).map((m) => m.name);
    expect(jsonFieldMutations({ lr: 0.1, sizes: [1, 2] }, fuzzRandom(1), 20).map((m) => m.name)).toEqual(a);
    expect(a).toHaveLength(20);
    expect(duplicateKeyTexts({ lr: 0.1 })[0]!.input).toMatch(/"lr": 0\.1,\n\s*"lr": 1\.1/);
  });
});
