import { appendFileSync, writeSync } from 'node:fs';
import type { Mutant } from './mutant.js';

/**
 * What one fuzz case gave: a typed error (of the format's error classes, naming the file), a
 * correct result, or a failure: a raw JS error (TypeError, RangeError, SyntaxError, a plain
 * Error, or a typed error that does not name the file), a hang (past the per-case timeout) or a
 * silent wrong result (success where an error was due, or a result its check refutes).
 */
export type FuzzOutcome = 'typed' | 'ok' | 'raw' | 'hang' | 'wrong';

/** One case's outcome; `detail` says what went wrong. */
export interface FuzzCaseResult {
  name: string;
  outcome: FuzzOutcome;
  detail?: string;
  ms: number;
}

/** The outcomes of a format's cases, counted. */
export interface FuzzReport {
  format: string;
  total: number;
  counts: Record<FuzzOutcome, number>;
  /** The cases that were raw, hung or wrong. */
  failures: FuzzCaseResult[];
  ms: number;
}

/** How to run and judge the cases of one format. */
export interface FuzzTarget<T, R> {
  /** Names the format in the report ('npy', 'onnx model', 'anneal grad'...). */
  format: string;
  /** Reads one generated input (the code under test). */
  run(input: T, name: string): R | Promise<R>;
  /** Whether an error is one of the format's typed errors with a message naming what was read. */
  typed(error: unknown): boolean;
  /** Why a successful result is wrong for its input, or undefined when it is right. */
  verify?(input: T, result: R): string | undefined;
  /** Per-case time limit (default 5000 ms). Async work is cut off there; synchronous work is measured and flagged. */
  timeoutMs?: number;
}

const RAW = [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];

/** `Name: message` of an error, with the class a raw error was raised as. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `non-Error thrown: ${String(e)}`;
  const raw = RAW.some((c) => e.constructor === c) || e.constructor === Error;
  return `${raw ? 'raw ' : ''}${e.name}: ${e.message.slice(0, 300)}`;
}

class Timeout {
  constructor(readonly ms: number) {}
}

async function withTimeout<R>(work: () => R | Promise<R>, ms: number): Promise<R> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(ms)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every mutant through `target` one at a time and classifies each outcome. Nothing is
 * thrown: the report lists the failures (see {@link fuzzSummary}). With `ANNEAL_FUZZ_REPORT`
 * set to a file, the report's counts are appended to it as one JSON line; with
 * `ANNEAL_FUZZ_TRACE` set, each case is named on stderr before it runs (to find one that crashes).
 * @example const report = await runFuzz(npyTarget, mutants); expect(report.failures).toEqual([]);
 */
export async function runFuzz<T, R>(target: FuzzTarget<T, R>, mutants: readonly Mutant<T>[]): Promise<FuzzReport> {
  const timeoutMs = target.timeoutMs ?? 5000;
  const counts: Record<FuzzOutcome, number> = { typed: 0, ok: 0, raw: 0, hang: 0, wrong: 0 };
  const failures: FuzzCaseResult[] = [];
  const started = performance.now();
  for (const m of mutants) {
    // a case that crashes the process (a heap abort) can only be named before it runs
    if (process.env.ANNEAL_FUZZ_TRACE) writeSync(2, `fuzz ${target.format}: ${m.name}\n`);
    const t0 = performance.now();
    let outcome: FuzzOutcome;
    let detail: string | undefined;
    try {
      const result = await withTimeout(() => target.run(m.input, m.name), timeoutMs);
      const why = m.expect === 'error' ? 'succeeded, but this input must be refused' : target.verify?.(m.input, result);
      [outcome, detail] = why ? ['wrong', why] : ['ok', undefined];
    } catch (e) {
      if (e instanceof Timeout) [outcome, detail] = ['hang', `no answer after ${e.ms} ms`];
      else if (m.expect === 'ok') [outcome, detail] = ['wrong', `must succeed, but threw ${describeError(e)}`];
      else if (target.typed(e)) outcome = 'typed';
      else [outcome, detail] = ['raw', describeError(e)];
    }
    const ms = performance.now() - t0;
    if (outcome !== 'hang' && ms > timeoutMs) [outcome, detail] = ['hang', `took ${Math.round(ms)} ms (limit ${timeoutMs} ms)`];
    counts[outcome]++;
    if (outcome === 'raw' || outcome === 'hang' || outcome === 'wrong') failures.push({ name: m.name, outcome, detail, ms });
  }
  const report: FuzzReport = { format: target.format, total: mutants.length, counts, failures, ms: performance.now() - started };
  if (process.env.ANNEAL_FUZZ_REPORT) appendFileSync(process.env.ANNEAL_FUZZ_REPORT, JSON.stringify({ format: report.format, total: report.total, ...counts, seconds: +(report.ms / 1000).toFixed(2) }) + '\n');
  return report;
}

/**
 * One line for a report, plus its first failures:
 * `npy: 312 cases, 280 typed errors, 32 correct results; 0 raw errors, 0 hangs, 0 silent wrong results (0.41 s)`.
 */
export function fuzzSummary(report: FuzzReport, listed = 10): string {
  const c = report.counts;
  const line = `${report.format}: ${report.total} cases, ${c.typed} typed errors, ${c.ok} correct results; ${c.raw} raw errors, ${c.hang} hangs, ${c.wrong} silent wrong results (${(report.ms / 1000).toFixed(2)} s)`;
  return [line, ...report.failures.slice(0, listed).map((f) => `  ${f.outcome}: ${f.name}: ${f.detail ?? ''}`)].join('\n');
}
