import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import type { AnnealEvent } from '@anneal/core';
import { charEdits, fuzzRandom, fuzzSummary, jsonFieldMutations, lineEdits, namesFile, runFuzz, textTruncations, type Mutant } from '@anneal/testing/fuzz';
import { ConfigError } from '../errors.js';
import { metricsJsonl, readMetrics } from './metrics-jsonl.js';
import { scanRecords, type MetricsRecord } from './metrics-record.js';

// Damaged metrics.jsonl files: reading one for a report gives a ConfigError naming the file and
// line; resuming a run over one never fails: the valid lines before the checkpoint are kept and
// the damaged ones dropped with a warning.

const records: MetricsRecord[] = [];
for (let epoch = 1; epoch <= 3; epoch++) {
  for (let batch = 0; batch < 3; batch++) records.push({ kind: 'batch', epoch, batch, step: (epoch - 1) * 3 + batch, loss: 1 / (epoch + batch), lr: 0.1 });
  records.push({ kind: 'epoch', epoch, step: epoch * 3, train: { loss: { mean: 1 / epoch, variance: 0.01, std: 0.1, min: 0.5, max: 1.5, count: 3 } }, durationMs: 10 } as unknown as MetricsRecord);
}
const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function mutants(): Mutant<string>[] {
  const rng = fuzzRandom(44);
  const lines = text.split('\n');
  return [
    { name: 'valid', input: text, expect: 'ok' },
    ...textTruncations(text, 40),
    ...charEdits(text, 60, rng),
    ...lineEdits(text, 30, rng),
    ...jsonFieldMutations(records[4], rng, 60).map((m) => ({ ...m, name: `line 5: ${m.name}`, input: [...lines.slice(0, 4), JSON.stringify(m.input), ...lines.slice(5)].join('\n') })),
    ...['garbage', '{"kind":"batch"', 'null', '[]', '42', '"text"', '{}', '{"kind":"epoch","epoch":"2"}'].map((g, k) => ({ name: `line ${k + 2} replaced by ${g}`, input: [...lines.slice(0, k + 1), g, ...lines.slice(k + 2)].join('\n') })),
    { name: 'a torn last line', input: text.slice(0, -20) },
    { name: 'NUL bytes', input: text.replace('\n', '\n\0\0\0\n') },
  ];
}

describe('metrics.jsonl fuzz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-fuzz-'));
  const file = join(dir, 'metrics.jsonl');

  it('readMetrics: every damaged file gives a ConfigError naming the file and line; accepted files are every line', async () => {
    const report = await runFuzz(
      {
        format: 'metrics.jsonl (readMetrics)',
        run: (t) => {
          writeFileSync(file, t);
          return readMetrics(file);
        },
        typed: (e) => namesFile([ConfigError], () => file)(e) && /metrics\.jsonl:\d+: /.test((e as Error).message),
        verify: (t, got) => (got.length === new TextDecoder().decode(new TextEncoder().encode(t)).split('\n').filter((l) => l.trim()).length ? undefined : `${got.length} records for the file's lines`),
        timeoutMs: 2000,
      },
      mutants(),
    );
    console.log(fuzzSummary(report));
    expect(report.total).toBeGreaterThan(150);
    expect(report.failures, fuzzSummary(report)).toEqual([]);
  });

  it('resume: damaged lines never block it; the valid lines before the checkpoint are kept, the rest dropped with a warning', async () => {
    // the checkpoint was written after epoch 2 (step 6, epoch 3 starts)
    const resumed = { type: 'run:start', epochs: 3, batchesPerEpoch: 3, startEpoch: 3, startBatch: 0, step: 6, resumed: true } as AnnealEvent;
    const report = await runFuzz(
      {
        format: 'metrics.jsonl (resume)',
        run: (t) => {
          writeFileSync(file, t);
          const warnings: string[] = [];
          const log = metricsJsonl(file, { onWarning: (m) => warnings.push(m) });
          const events = new Subject<AnnealEvent>();
          const subscription = log.attach(events);
          events.next(resumed);
          subscription.unsubscribe();
          return { kept: log.records, warnings };
        },
        typed: () => false,
        verify: (t, { kept, warnings }) => {
          const { records: valid, damaged } = scanRecords(new TextDecoder().decode(new TextEncoder().encode(t)));
          const expected = valid.filter((r) => (r.kind === 'batch' ? r.step < 6 : r.kind === 'epoch' ? r.epoch < 3 : false));
          if (JSON.stringify(kept) !== JSON.stringify(expected)) return `kept ${kept.length} records, expected the ${expected.length} valid ones before the checkpoint`;
          if ((damaged.length > 0) !== (warnings.length > 0)) return `${damaged.length} damaged lines but ${warnings.length} warnings`;
          if (warnings.some((w) => !w.includes(file))) return 'the warning does not name the file';
          return undefined;
        },
        timeoutMs: 2000,
      },
      mutants().map((m) => ({ ...m, expect: 'ok' as const })),
    );
    console.log(fuzzSummary(report));
    expect(report.failures, fuzzSummary(report)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
