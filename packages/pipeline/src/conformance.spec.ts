import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnnealEvent } from '@anneal/core';
import { conformanceEvents, describeLoggerConformance, type LoggerConformanceCases } from '@anneal/testing';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { builtinFileLoggers } from './loggers/builtin-loggers.js';
import { metricsJsonl } from './loggers/metrics-jsonl.js';

/** The run-folder loggers of the pipeline through the logger conformance suite (each logger writes into its own temporary run folder). */

/** A metrics.jsonl as the metrics-jsonl logger writes it for the suite's event stream: what the charts logger draws at close. */
function metricsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-metrics-'));
  try {
    const log = metricsJsonl(join(dir, 'metrics.jsonl'));
    const events = new Subject<AnnealEvent>();
    log.attach(events);
    for (const e of conformanceEvents(dir)) events.next(e);
    void log.close?.({ ok: true }); // metrics-jsonl flushes synchronously
    return readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LOGGERS: Record<string, LoggerConformanceCases> = {
  'metrics-jsonl': { valid: [{}, { path: 'logs/run.jsonl' }], invalid: [{ path: '' }, { every: 1 }] },
  charts: { valid: [{}], invalid: [{ dir: '' }, { format: 'png' }], files: { 'metrics.jsonl': metricsFile() } },
  tensorboard: { valid: [{}, { dir: 'tb', steps: false }, { norms: true, flushSeconds: 0.001 }], invalid: [{ dir: '' }, { steps: 'yes' }, { flushSeconds: 0 }, { every: 1 }] },
  csv: { valid: [{}, { path: 'logs/epochs.csv', steps: 'logs/steps.csv' }], invalid: [{ path: '' }, { steps: '' }, { columns: ['epoch'] }] },
};

describe('logger conformance of the pipeline loggers', () => {
  it('covers every file logger', () => {
    expect(Object.keys(LOGGERS).sort()).toEqual(builtinFileLoggers.map((d) => d.id).sort());
  });
});

for (const d of builtinFileLoggers) if (LOGGERS[d.id]) describeLoggerConformance(d, LOGGERS[d.id]!);
