import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { AnnealEvent, Logger, LoggerContext, LoggerDescriptor, ProgressBar, RunInfo, RunIo } from '@anneal/core';
import { config, Subject, type Subscription } from 'rxjs';
import { expect } from 'vitest';
import { boringModel } from './boring-model.js';
import { poisonedBatches, runBoring } from './boring-run.js';
import { deepFrozen, sleep, withTempDirs } from './conformance-utils.js';
import { describeChecks, descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions, type ConformanceCheck } from './descriptor-contract.js';
import { ANNEAL_EVENT_TYPES, conformanceEvents } from './event-catalog.js';
import { memoryCheckpoints } from './memory-checkpoints.js';

/** Inputs of {@link describeLoggerConformance}. */
export interface LoggerConformanceCases {
  /** Option sets the schema must accept; every check runs on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /** How long to wait for late effects (throttled or timed writes) before looking (default 150 ms). */
  readonly settleMs?: number;
  /** Files written into every run folder before the logger is created, by relative path (e.g. a metrics.jsonl the logger reads). */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

/** A RunIo that records everything a logger prints or draws. */
interface RecordingIo extends RunIo {
  readonly records: string[];
}

function recordingIo(): RecordingIo {
  const records: string[] = [];
  return {
    records,
    out: (line) => void records.push(`out ${line}`),
    err: (line) => void records.push(`err ${line}`),
    bar(label, total, done = 0): ProgressBar {
      records.push(`bar ${label} ${done}/${total}`);
      return { update: (d, fields) => void records.push(`update ${label} ${d} ${JSON.stringify(fields ?? {})}`), stop: () => void records.push(`stop ${label}`) };
    },
  };
}

/** Every file under `dir` with a hash of its content. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Runs `fn` and collects the errors subscribers threw (RxJS reports them asynchronously, not to the emitter). */
async function collectingSubscriberErrors(settleMs: number, fn: () => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  const previous = config.onUnhandledError;
  config.onUnhandledError = (e) => void errors.push(e);
  try {
    await fn();
    await sleep(settleMs);
  } finally {
    config.onUnhandledError = previous;
  }
  return errors;
}

function describeErrors(errors: readonly unknown[]): string {
  return errors.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))).join('; ');
}

/**
 * The checks {@link describeLoggerConformance} runs. Each logger gets its own run folder
 * (`run.dir`) and a recording `io`; its effects are what it prints or draws and the files it
 * writes there.
 */
export function loggerConformanceChecks<O>(descriptor: LoggerDescriptor<O>, cases: LoggerConformanceCases): ConformanceCheck[] {
  const settleMs = cases.settleMs ?? 150;
  const model = boringModel();
  const epochs = 3;
  const runInfo = (dir: string): RunInfo => ({ name: 'logger-conformance', seed: 0, epochs, batchesPerEpoch: model.train.batchesPerEpoch, classes: model.classes, validation: true, dir });
  const make = (options: unknown, dir: string) => {
    for (const [path, content] of Object.entries(cases.files ?? {})) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const io = recordingIo();
    const context: LoggerContext = { path: 'loggers[0]', build: noNestedSpecs('logger'), run: runInfo(dir), io };
    return { logger: descriptor.create(parseOptions(descriptor, options), context), io };
  };
  const effects = (io: RecordingIo, dir: string) => ({ printed: [...io.records], files: files(dir) });
  const attach = (logger: Logger, events$: Parameters<Logger['attach']>[0]): Subscription => {
    const subscription = logger.attach(events$);
    expect(typeof subscription?.unsubscribe, 'attach() must return the Subscription').toBe('function');
    return subscription;
  };

  const checks = descriptorContractChecks<{ logger: Logger; io: RecordingIo; dir: string }>(descriptor, {
    kind: 'logger',
    valid: cases.valid,
    invalid: cases.invalid,
    // each product is a logger with its own io and run folder
    create: (options) => {
      const dir = mkdtempSync(join(tmpdir(), 'anneal-logger-'));
      return { ...make(options, dir), dir };
    },
    independence: {
      async use({ logger, dir }) {
        const subject = new Subject<AnnealEvent>();
        const subscription = attach(logger, subject);
        for (const e of conformanceEvents(dir)) subject.next(deepFrozen(e));
        subscription.unsubscribe();
        await logger.close?.({ ok: true });
      },
      observe: ({ io }) => [...io.records],
      dispose: ({ dir }) => rmSync(dir, { recursive: true, force: true }),
    },
  });
  cases.valid.forEach((options, k) => {
    const label = optionLabel(options, k);
    checks.push(
      {
        title: `${label}: follows a real Trainer run (attached before fit, close({ ok: true }) once after) and a failed one (close({ ok: false }))`,
        run: () =>
          withTempDirs('logger', async (temp) => {
            for (const failing of [false, true]) {
              const dir = temp();
              const { logger } = make(options, dir);
              let subscription: Subscription | undefined;
              let outcome: Awaited<ReturnType<typeof runBoring>> | undefined;
              const errors = await collectingSubscriberErrors(settleMs, async () => {
                outcome = await runBoring(model, {
                  epochs,
                  normsEvery: 2,
                  // a batch of NaN features: a real non-finite loss, skipped, or (failing) the run's end
                  train: poisonedBatches(model.train, 1, 3),
                  nonFinite: failing ? 'stop' : 'skip',
                  warnings: [{ code: 'CONFORMANCE', message: 'a warning raised while the backend was built' }],
                  checkpoint: { dir, io: memoryCheckpoints() },
                  attach: (events$) => void (subscription = attach(logger, events$)),
                });
                subscription?.unsubscribe();
                await logger.close?.({ ok: !failing });
              });
              expect(errors, `the logger threw while handling the run's events: ${describeErrors(errors)}`).toEqual([]);
              expect(!!outcome?.error, failing ? 'the failing run should have failed' : `the run failed: ${String(outcome?.error)}`).toBe(failing);
            }
          }),
      },
      {
        title: `${label}: handles every event type (${ANNEAL_EVENT_TYPES.length}) without throwing and leaves the frozen payloads as they were`,
        run: () =>
          withTempDirs('logger', async (temp) => {
            const dir = temp();
            const { logger } = make(options, dir);
            const events = conformanceEvents(dir);
            expect(new Set(events.map((e) => e.type)), 'the event catalog covers every type').toEqual(new Set(ANNEAL_EVENT_TYPES));
            const frozen = events.map(deepFrozen);
            const errors = await collectingSubscriberErrors(settleMs, async () => {
              const subject = new Subject<AnnealEvent>();
              const subscription = attach(logger, subject);
              for (const e of frozen) subject.next(e);
              subscription.unsubscribe();
              await logger.close?.({ ok: true });
            });
            expect(errors, `the logger threw on an event (a write to a frozen payload throws too): ${describeErrors(errors)}`).toEqual([]);
            expect(frozen, 'the logger changed an event payload').toEqual(events);
          }),
      },
      {
        title: `${label}: after unsubscribing, later events have no effect (nothing printed, drawn or written)`,
        run: () =>
          withTempDirs('logger', async (temp) => {
            const dir = temp();
            const { logger, io } = make(options, dir);
            const events = conformanceEvents(dir);
            const half = events.findIndex((e) => e.type === 'checkpoint:saved') + 1;
            const subject = new Subject<AnnealEvent>();
            const subscription = attach(logger, subject);
            for (const e of events.slice(0, half)) subject.next(deepFrozen(e));
            await sleep(settleMs);
            subscription.unsubscribe();
            const before = effects(io, dir);
            for (const e of events.slice(half)) subject.next(deepFrozen(e));
            await sleep(settleMs);
            expect(effects(io, dir), 'events after unsubscribe() changed what the logger printed, drew or wrote').toEqual(before);
            await logger.close?.({ ok: true });
          }),
      },
    );
  });
  return checks;
}

/**
 * Declares vitest blocks that check a logger descriptor against the plugin contract and, for
 * every valid option set, against the logger contract: attached to a real Trainer run of the
 * boring model (checkpoints, norms, a warning, a non-finite loss skipped) it never throws, and
 * `close({ ok })` is called once after, also after a failed run; it handles every event type
 * (with NaN losses, missing validation, empty norms) without throwing and without changing the
 * frozen payloads; after `unsubscribe()` later events change nothing it prints, draws or writes.
 *
 * @example
 * ```ts
 * // my-logger.spec.ts
 * import { describeLoggerConformance } from '@anneal/testing';
 * describeLoggerConformance(csvLogger, { valid: [{}, { path: 'log.csv' }], invalid: [{ path: '' }] });
 * ```
 */
export function describeLoggerConformance<O>(descriptor: LoggerDescriptor<O>, cases: LoggerConformanceCases): void {
  describeChecks(`logger conformance: ${descriptor.id}`, loggerConformanceChecks(descriptor, cases));
}
