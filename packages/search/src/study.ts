import { SearchError, TrialPruned, TrialStateError } from './errors.js';
import { RandomSampler } from './samplers/random-sampler.js';
import { MemoryStorage } from './storage/memory-storage.js';
import { paretoFront } from './multi-objective/dominance.js';
import { endTrial, Trial, type RelativeSample, type TrialContext } from './trial.js';
import type { Direction, FrozenTrial, ParamValue, Pruner, Sampler, Storage, StudyView, TrialState } from './types.js';
import { defaultWorkerId } from './worker-id.js';

/** Options of {@link createStudy}. */
export interface StudyOptions {
  /** Where trials live (default: a new MemoryStorage). */
  storage?: Storage;
  /** Default: `new RandomSampler({ seed })`. */
  sampler?: Sampler;
  pruner?: Pruner;
  /** Default 'minimize' (or the stored direction when loading an existing study). */
  direction?: Direction;
  /**
   * One direction per objective for a multi-objective study (objectives then return one number
   * per direction; `bestTrials` gives the Pareto front). Overrides `direction`.
   */
  directions?: readonly Direction[];
  /** Seed of the default sampler. */
  seed?: number;
  /**
   * Send heartbeats every this many ms while a trial runs; trials of dead workers older than graceMs are failed (and retried once when `retryFailed`).
   * Every `ask` of a study with this option looks for such stale trials first. Heartbeats come from a timer, so an objective that blocks the event
   * loop for longer than graceMs looks dead: keep graceMs well above the longest synchronous stretch of the objective.
   */
  heartbeat?: { intervalMs: number; graceMs: number; retryFailed?: boolean };
  /** Name stored on the trials this study runs (default host:pid:random). */
  worker?: string;
}

/** Options of {@link Study.optimize}. */
export interface OptimizeOptions {
  /** Stop after this call has finished this many trials. */
  nTrials?: number;
  /** Start no new trial after this many ms (running ones finish). */
  timeoutMs?: number;
  /** Trials in flight at once in this process (async objectives), default 1. */
  concurrency?: number;
  /** Record objective errors as failed trials and go on (default true); false rethrows the first. */
  catch?: boolean;
  onTrialEnd?: (trial: FrozenTrial) => void;
}

/** How `tell` ends a trial: its objective value (one per direction in a multi-objective study), or a pruned / failed state. */
export type TrialResult = number | readonly number[] | { state: 'pruned' | 'fail'; error?: string };

/**
 * Creates a study (or, with `loadIfExists`, resumes the stored one of that name).
 *
 * @example
 * const study = await createStudy('quadratic', { seed: 1 });
 * await study.optimize((t) => (t.suggestFloat('x', -10, 10) - 2) ** 2, { nTrials: 100 });
 * (await study.bestTrial())?.params; // { x: 1.98... }
 */
export async function createStudy(name: string, options: StudyOptions & { loadIfExists?: boolean } = {}): Promise<Study> {
  const hb = options.heartbeat;
  if (hb && !(hb.intervalMs > 0 && hb.graceMs > hb.intervalMs)) {
    throw new SearchError('STUDY_OPTIONS', `study '${name}': heartbeat needs intervalMs > 0 and graceMs > intervalMs (a few intervals, so a busy worker is not declared lost), got ${JSON.stringify(hb)}`);
  }
  const storage = options.storage ?? new MemoryStorage();
  const asked = options.directions ?? (options.direction ? [options.direction] : undefined);
  const existing = options.loadIfExists && !asked ? await storage.getStudy(name) : undefined;
  const directions = asked ?? existing?.directions ?? [existing?.direction ?? 'minimize'];
  if (directions.length === 0) throw new SearchError('STUDY_OPTIONS', `study '${name}': directions needs one direction per objective, got []`);
  const record = await storage.createStudy(name, directions[0]!, { loadIfExists: options.loadIfExists, ...(directions.length > 1 ? { directions } : {}) });
  const sampler = options.sampler ?? new RandomSampler({ seed: options.seed });
  const stored = record.directions ?? [record.direction];
  return new Study(record.name, record.direction, { storage, sampler, pruner: options.pruner, study: record.name, direction: record.direction, ...(stored.length > 1 ? { directions: stored } : {}) }, options.worker ?? defaultWorkerId(), hb);
}

/**
 * A search: trials of one objective in one storage. Several Study objects (in this process or
 * others) may work on the same stored study at once. Drive it with `optimize`, or yourself with
 * `ask` / `tell`.
 *
 * @example
 * const trial = await study.ask();
 * const x = trial.suggestFloat('x', -10, 10);
 * await study.tell(trial, (x - 2) ** 2);
 */
export class Study {
  private readonly live = new Map<number, { trial: Trial; timer?: ReturnType<typeof setInterval> }>();

  /** Made by {@link createStudy}. */
  constructor(
    readonly name: string,
    readonly direction: Direction,
    private readonly ctx: TrialContext,
    readonly worker: string,
    private readonly heartbeat?: { intervalMs: number; graceMs: number; retryFailed?: boolean },
  ) {}

  /** The study's storage. */
  get storage(): Storage {
    return this.ctx.storage;
  }

  /** One direction per objective (`[direction]` for a single-objective study). */
  get directions(): readonly Direction[] {
    return this.ctx.directions ?? [this.direction];
  }

  /** What samplers see: the trials with the study's name and direction(s). */
  private view(trials: readonly FrozenTrial[]): StudyView {
    return { name: this.name, direction: this.direction, ...(this.ctx.directions ? { directions: this.ctx.directions } : {}), trials };
  }

  /**
   * Starts a trial: claims the oldest waiting (enqueued or retried) trial, else a new one. Values
   * in `fixed` are returned for those names unless the claimed trial already fixes them.
   */
  async ask(fixed: Record<string, ParamValue> = {}): Promise<Trial> {
    const { storage, sampler } = this.ctx;
    const hb = this.heartbeat;
    if (hb) await storage.failStaleTrials(this.name, hb.graceMs, { retry: !!hb.retryFailed });
    const frozen = await storage.startTrial(this.name, this.worker);
    let relative: RelativeSample | undefined;
    const view = this.view(await storage.getTrials(this.name));
    try {
      if (sampler.inferRelativeSpace && sampler.sampleRelative) {
        const space = sampler.inferRelativeSpace(view, frozen);
        if (Object.keys(space).length) relative = { space, values: sampler.sampleRelative(view, frozen, space) };
      }
    } catch (e) {
      await storage.finishTrial(frozen.id, 'fail', { error: `sampler '${sampler.name}' failed: ${messageOf(e)}` });
      throw e;
    }
    const trial = new Trial(this.ctx, frozen, view, relative, { ...fixed, ...frozen.params });
    const entry: { trial: Trial; timer?: ReturnType<typeof setInterval> } = { trial };
    if (hb) {
      entry.timer = setInterval(() => void storage.heartbeat(frozen.id).catch(() => {}), hb.intervalMs);
      entry.timer.unref?.();
    }
    this.live.set(frozen.number, entry);
    return trial;
  }

  /**
   * Ends a trial (the Trial, or its number) with its objective value or state. A NaN value
   * records the trial as failed. Throws TrialStateError when the trial is not running any more
   * (e.g. failed as stale because its heartbeats stopped).
   */
  async tell(trial: Trial | number, result: TrialResult): Promise<FrozenTrial> {
    const number = typeof trial === 'number' ? trial : trial.number;
    const told = typeof result === 'number' ? 1 : Array.isArray(result) ? result.length : this.directions.length;
    if (told !== this.directions.length) throw new TrialStateError(`study '${this.name}': trial ${number} was told ${told} value(s) but the study has ${this.directions.length} objective(s) (${this.directions.join(', ')}); tell one number per direction`);
    const entry = this.live.get(number);
    if (entry && typeof trial !== 'number' && entry.trial !== trial) throw new TrialStateError(`study '${this.name}': trial ${number} told with a Trial object that is not the one ask() returned`);
    let id: string;
    let intermediate: Readonly<Record<number, number>>;
    if (entry) {
      this.live.delete(number);
      if (entry.timer) clearInterval(entry.timer);
      id = entry.trial.id;
      try {
        intermediate = await endTrial(entry.trial);
      } catch (e) {
        await this.ctx.storage.finishTrial(id, 'fail', { error: `storing its parameters or reports failed: ${messageOf(e)}` }).catch(() => {});
        throw e;
      }
    } else {
      const stored = (await this.ctx.storage.getTrials(this.name)).find((t) => t.number === number);
      if (!stored) throw new TrialStateError(`study '${this.name}' has no trial ${number}; tell a number that ask() returned`);
      id = stored.id;
      intermediate = stored.intermediate;
    }
    const done = await this.ctx.storage.finishTrial(id, ...finishArgs(result, intermediate, this.directions.length));
    const sampler = this.ctx.sampler;
    if (sampler.afterTrial) sampler.afterTrial(this.view(await this.ctx.storage.getTrials(this.name)), done);
    return done;
  }

  /** Adds a waiting trial with these parameter values; the next `ask` (of any worker) claims it. */
  async enqueue(params: Record<string, ParamValue>): Promise<void> {
    await this.ctx.storage.enqueueTrial(this.name, { params: { ...params } });
  }

  /**
   * Runs the objective on new trials until `nTrials` of them finished in this call or
   * `timeoutMs` passed. Throwing `TrialPruned` ends a trial as pruned; other errors (and NaN)
   * as failed, with the error message.
   */
  async optimize(objective: (trial: Trial) => number | readonly number[] | Promise<number | readonly number[]>, options: OptimizeOptions): Promise<void> {
    const { nTrials, timeoutMs, concurrency = 1 } = options;
    if (nTrials === undefined && timeoutMs === undefined) throw new SearchError('OPTIMIZE_OPTIONS', `study '${this.name}': optimize needs nTrials or timeoutMs (or both)`);
    if (nTrials !== undefined && !(Number.isInteger(nTrials) && nTrials >= 0)) throw new SearchError('OPTIMIZE_OPTIONS', `study '${this.name}': nTrials must be an integer >= 0, got ${nTrials}`);
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new SearchError('OPTIMIZE_OPTIONS', `study '${this.name}': concurrency must be an integer >= 1, got ${concurrency}`);
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    let started = 0;
    let stop = false;
    const more = () => !stop && (nTrials === undefined || started < nTrials) && Date.now() < deadline;
    const exhausted = async () => {
      const sampler = this.ctx.sampler;
      if (!sampler.isExhausted) return false;
      return sampler.isExhausted(this.view(await this.ctx.storage.getTrials(this.name)));
    };
    const loop = async () => {
      while (more()) {
        if (await exhausted()) {
          stop = true;
          return;
        }
        started++;
        let trial: Trial;
        try {
          trial = await this.ask();
        } catch (e) {
          stop = true;
          throw e;
        }
        let result: TrialResult;
        let thrown: { error: unknown } | undefined;
        try {
          const value: unknown = await objective(trial);
          result = resultOf(value, this.directions.length);
        } catch (e) {
          if (e instanceof TrialPruned) result = { state: 'pruned' };
          else {
            result = { state: 'fail', error: messageOf(e) };
            thrown = { error: e };
          }
        }
        let done: FrozenTrial | undefined;
        try {
          done = await this.tell(trial, result);
        } catch (e) {
          // the trial was ended elsewhere (failed as stale while this worker was silent): go on
          if (!(e instanceof TrialStateError)) {
            stop = true;
            throw e;
          }
        }
        if (done) options.onTrialEnd?.(done);
        if (thrown && options.catch === false) {
          stop = true;
          throw thrown.error;
        }
      }
    };
    const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, loop));
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** Trials in number order, optionally only those in `states`. */
  async trials(states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    return this.ctx.storage.getTrials(this.name, states);
  }

  /**
   * The complete trial with the best value for the direction (the earliest on ties), if any.
   * Multi-objective studies have no single best trial: use {@link Study.bestTrials}.
   */
  async bestTrial(): Promise<FrozenTrial | undefined> {
    if (this.ctx.directions) throw new SearchError('MULTI_OBJECTIVE', `study '${this.name}' has ${this.ctx.directions.length} objectives and no single best trial; use bestTrials() for its Pareto front`);
    const sign = this.direction === 'minimize' ? 1 : -1;
    let best: FrozenTrial | undefined;
    for (const t of await this.ctx.storage.getTrials(this.name, ['complete'])) {
      if (t.value === undefined || Number.isNaN(t.value)) continue;
      if (!best || sign * t.value < sign * best.value!) best = t;
    }
    return best;
  }

  /**
   * The best trials: the Pareto front of the complete trials (those no other complete trial
   * dominates), in number order; for a single objective, the trials with the best value.
   *
   * @example
   * const study = await createStudy('mlp', { directions: ['maximize', 'minimize'] });
   * await study.optimize((t) => [accuracy(t), params(t)], { nTrials: 50 });
   * for (const t of await study.bestTrials()) console.log(t.number, t.values);
   */
  async bestTrials(): Promise<FrozenTrial[]> {
    return paretoFront(await this.ctx.storage.getTrials(this.name, ['complete']), this.directions);
  }

  /** Stops heartbeats and closes the storage (file handles, connections). */
  async close(): Promise<void> {
    for (const { timer } of this.live.values()) if (timer) clearInterval(timer);
    this.live.clear();
    await this.ctx.storage.close();
  }
}

function finishArgs(result: TrialResult, intermediate: Readonly<Record<number, number>>, objectives: number): ['complete' | 'pruned' | 'fail', { value?: number; values?: readonly number[]; error?: string }] {
  if (typeof result === 'number' || Array.isArray(result)) {
    const values: readonly number[] = typeof result === 'number' ? [result] : result;
    if (values.length !== objectives) throw new TrialStateError(`the trial was told ${values.length} value(s) but the study has ${objectives} objective(s); tell one number per direction`);
    if (values.some((v) => Number.isNaN(v))) return ['fail', { error: 'the objective returned NaN' }];
    return objectives === 1 ? ['complete', { value: values[0]! }] : ['complete', { values }];
  }
  const r = result as { state: 'pruned' | 'fail'; error?: string };
  if (r.state === 'fail') return ['fail', { error: r.error ?? 'failed (no reason given)' }];
  if (objectives > 1) return ['pruned', {}];
  let last: number | undefined;
  for (const k of Object.keys(intermediate)) if (last === undefined || Number(k) > last) last = Number(k);
  return ['pruned', last === undefined ? {} : { value: intermediate[last] }];
}

/** What optimize records for an objective's return value. */
function resultOf(value: unknown, objectives: number): TrialResult {
  const expected = objectives === 1 ? 'a number' : `an array of ${objectives} numbers`;
  if (typeof value === 'number' && objectives === 1) return value;
  if (Array.isArray(value) && value.length === objectives && value.every((v) => typeof v === 'number')) return value as number[];
  return { state: 'fail', error: `the objective returned ${describeValue(value)}, expected ${expected}` };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  try {
    return `${typeof v} ${JSON.stringify(v)?.slice(0, 60)}`;
  } catch {
    return typeof v;
  }
}
