import { describeDistribution, sameDistribution } from '../distributions.js';
import { TrialStateError } from '../errors.js';
import type { Direction, Distribution, FrozenTrial, ParamValue, StudyRecord, TrialState } from '../types.js';

/** What `enqueueTrial` takes. */
export interface EnqueueFixed {
  params?: Record<string, ParamValue>;
  distributions?: Record<string, Distribution>;
  retryOf?: number;
  systemAttrs?: Record<string, unknown>;
}

interface StudyEntry {
  record: StudyRecord;
  /** Index = trial number; each element is an immutable FrozenTrial replaced on change. */
  readonly trials: FrozenTrial[];
  /** FIFO of waiting trial numbers (consumed from `head`). */
  readonly waiting: number[];
  head: number;
  /** Numbers of running trials (for failStale without a full scan). */
  readonly running: Set<number>;
}

const EMPTY = Object.freeze({}) as Readonly<Record<string, never>>;

/**
 * The synchronous state machine behind MemoryStorage and JournalStorage (which replays its log
 * into one): studies, trials and their transitions. Every method validates first and then
 * mutates, so a throwing call changes nothing; time is passed in (`now`) so a replay is
 * deterministic. Trials are immutable objects replaced on every change, which makes the arrays
 * returned by `getTrials` consistent snapshots.
 */
export class TrialBook {
  private readonly studies = new Map<string, StudyEntry>();
  private readonly byId = new Map<string, { entry: StudyEntry; number: number }>();

  /** `where` names the storage in error messages ("memory storage", a journal path). */
  constructor(private readonly where: string) {}

  createStudy(name: string, direction: Direction, loadIfExists: boolean, directions?: readonly Direction[]): StudyRecord {
    const wanted = checkDirections(this.where, name, direction, directions);
    const existing = this.studies.get(name);
    if (existing) {
      if (!loadIfExists) throw new TrialStateError(`${this.where}: study '${name}' already exists; pass loadIfExists: true to resume it or choose another name`);
      const stored = existing.record.directions ?? [existing.record.direction];
      if (stored.join(',') !== wanted.join(',')) {
        throw new TrialStateError(`${this.where}: study '${name}' was created to ${stored.join(', ')}, not to ${wanted.join(', ')}; use direction(s) '${stored.join(', ')}' or another study name`);
      }
      return existing.record;
    }
    const record: StudyRecord = { name, direction, ...(wanted.length > 1 ? { directions: wanted } : {}), userAttrs: EMPTY, systemAttrs: EMPTY };
    this.studies.set(name, { record, trials: [], waiting: [], head: 0, running: new Set() });
    return record;
  }

  getStudy(name: string): StudyRecord | undefined {
    return this.studies.get(name)?.record;
  }

  listStudies(): StudyRecord[] {
    return [...this.studies.values()].map((s) => s.record);
  }

  setStudyAttr(study: string, key: string, value: unknown, kind: 'user' | 'system'): void {
    const entry = this.study(study);
    const r = entry.record;
    entry.record = kind === 'user' ? { ...r, userAttrs: { ...r.userAttrs, [key]: value } } : { ...r, systemAttrs: { ...r.systemAttrs, [key]: value } };
  }

  startTrial(study: string, worker: string, now: number): FrozenTrial {
    const entry = this.study(study);
    const claimed = this.claimFrom(entry, worker, now);
    if (claimed) return claimed;
    const number = entry.trials.length;
    const id = `${study}#${number}`;
    this.byId.set(id, { entry, number });
    return this.put(entry, { id, number, state: 'running', params: EMPTY, distributions: EMPTY, intermediate: EMPTY, startedAt: now, heartbeatAt: now, worker, userAttrs: EMPTY, systemAttrs: EMPTY });
  }

  /** The oldest waiting trial claimed for `worker`, or undefined when none waits (nothing is created). */
  claimWaitingTrial(study: string, worker: string, now: number): FrozenTrial | undefined {
    return this.claimFrom(this.study(study), worker, now);
  }

  /** Whether the study has a waiting trial (an unknown study is a TrialStateError). */
  hasWaiting(study: string): boolean {
    const entry = this.study(study);
    for (let i = entry.head; i < entry.waiting.length; i++) if (entry.trials[entry.waiting[i]!]!.state === 'waiting') return true;
    return false;
  }

  private claimFrom(entry: StudyEntry, worker: string, now: number): FrozenTrial | undefined {
    while (entry.head < entry.waiting.length) {
      const number = entry.waiting[entry.head++]!;
      const t = entry.trials[number]!;
      if (t.state !== 'waiting') continue;
      if (entry.head > 64 && entry.head * 2 > entry.waiting.length) {
        entry.waiting.splice(0, entry.head);
        entry.head = 0;
      }
      return this.put(entry, { ...t, state: 'running', worker, startedAt: now, heartbeatAt: now });
    }
    return undefined;
  }

  enqueueTrial(study: string, fixed: EnqueueFixed): FrozenTrial {
    const entry = this.study(study);
    const number = entry.trials.length;
    const id = `${study}#${number}`;
    this.byId.set(id, { entry, number });
    entry.waiting.push(number);
    const trial: FrozenTrial = {
      id,
      number,
      state: 'waiting',
      params: { ...fixed.params },
      distributions: { ...fixed.distributions },
      intermediate: EMPTY,
      userAttrs: EMPTY,
      systemAttrs: { ...fixed.systemAttrs },
      ...(fixed.retryOf !== undefined ? { retryOf: fixed.retryOf } : {}),
    };
    return this.put(entry, trial);
  }

  setParam(trialId: string, name: string, distribution: Distribution, value: ParamValue): void {
    const [entry, t] = this.running(trialId, `set parameter '${name}'`);
    const oldD = t.distributions[name];
    if (oldD && !sameDistribution(oldD, distribution)) {
      throw new TrialStateError(`${this.where}: trial ${t.number} already has parameter '${name}' as ${describeDistribution(oldD)}, cannot set it as ${describeDistribution(distribution)}`);
    }
    if (name in t.params) {
      const old = t.params[name];
      if (old !== value && !Object.is(old, value)) throw new TrialStateError(`${this.where}: trial ${t.number} already has parameter '${name}' = ${JSON.stringify(old)}, cannot set it to ${JSON.stringify(value)}`);
      if (oldD) return;
    }
    this.put(entry, { ...t, params: { ...t.params, [name]: value }, distributions: { ...t.distributions, [name]: distribution } });
  }

  reportIntermediate(trialId: string, step: number, value: number): void {
    const [entry, t] = this.running(trialId, `report step ${step}`);
    this.put(entry, { ...t, intermediate: { ...t.intermediate, [step]: value } });
  }

  setTrialAttr(trialId: string, key: string, value: unknown, kind: 'user' | 'system'): void {
    const [entry, t] = this.find(trialId);
    this.put(entry, kind === 'user' ? { ...t, userAttrs: { ...t.userAttrs, [key]: value } } : { ...t, systemAttrs: { ...t.systemAttrs, [key]: value } });
  }

  heartbeat(trialId: string, now: number): void {
    const [entry, t] = this.find(trialId);
    if (t.state === 'running') this.put(entry, { ...t, heartbeatAt: now });
  }

  finishTrial(trialId: string, state: 'complete' | 'pruned' | 'fail', options: { value?: number; values?: readonly number[]; error?: string }, now: number): FrozenTrial {
    const [entry, t] = this.running(trialId, `finish it as ${state}`);
    const done: FrozenTrial = {
      ...t,
      state,
      completedAt: now,
      ...(options.value !== undefined ? { value: options.value } : {}),
      ...(options.values !== undefined ? { values: [...options.values] } : {}),
      ...(options.error !== undefined ? { error: options.error } : {}),
    };
    return this.put(entry, done);
  }

  getTrial(trialId: string): FrozenTrial {
    return this.find(trialId)[1];
  }

  /** Trials in number order (a new array; the trials themselves are immutable). Unknown study: []. */
  getTrials(study: string, states?: readonly TrialState[]): FrozenTrial[] {
    const entry = this.studies.get(study);
    if (!entry) return [];
    return states ? entry.trials.filter((t) => states.includes(t.state)) : entry.trials.slice();
  }

  /** Whether some running trial's last sign of life is older than `graceMs` at `now`. */
  hasStale(study: string, graceMs: number, now: number): boolean {
    const entry = this.studies.get(study);
    if (!entry) return false;
    for (const n of entry.running) if (now - lastBeat(entry.trials[n]!) > graceMs) return true;
    return false;
  }

  failStaleTrials(study: string, graceMs: number, retry: boolean, now: number): FrozenTrial[] {
    const entry = this.study(study);
    const failed: FrozenTrial[] = [];
    for (const n of [...entry.running].sort((a, b) => a - b)) {
      const t = entry.trials[n]!;
      const silent = now - lastBeat(t);
      if (silent <= graceMs) continue;
      failed.push(this.put(entry, { ...t, state: 'fail', completedAt: now, error: `worker lost: no heartbeat for ${silent} ms (worker ${t.worker ?? 'unknown'})` }));
      if (retry) this.enqueueTrial(study, { params: { ...t.params }, distributions: { ...t.distributions }, retryOf: t.number });
    }
    return failed;
  }

  private study(name: string): StudyEntry {
    const entry = this.studies.get(name);
    if (!entry) throw new TrialStateError(`${this.where}: no study '${name}'; create it first with createStudy('${name}', direction)`);
    return entry;
  }

  private find(trialId: string): [StudyEntry, FrozenTrial] {
    const at = this.byId.get(trialId);
    if (!at) throw new TrialStateError(`${this.where}: no trial '${trialId}'`);
    return [at.entry, at.entry.trials[at.number]!];
  }

  private running(trialId: string, what: string): [StudyEntry, FrozenTrial] {
    const found = this.find(trialId);
    const t = found[1];
    if (t.state !== 'running') throw new TrialStateError(`${this.where}: cannot ${what} of trial ${t.number} ('${trialId}'): it is ${t.state}, not running${t.state === 'fail' && t.error ? ` (${t.error})` : ''}`);
    return found;
  }

  private put(entry: StudyEntry, t: FrozenTrial): FrozenTrial {
    entry.trials[t.number] = t;
    if (t.state === 'running') entry.running.add(t.number);
    else entry.running.delete(t.number);
    return t;
  }
}

/**
 * The directions a study is created with: `[direction]`, or `directions` (checked: two or more,
 * the first equal to `direction`). Shared by every storage.
 */
export function checkDirections(where: string, name: string, direction: Direction, directions: readonly Direction[] | undefined): readonly Direction[] {
  if (directions === undefined || directions.length === 1) {
    if (directions && directions[0] !== direction) throw new TrialStateError(`${where}: study '${name}': directions [${directions.join(', ')}] disagree with direction '${direction}'`);
    return [direction];
  }
  if (directions.length === 0 || directions[0] !== direction || directions.some((d) => d !== 'minimize' && d !== 'maximize')) {
    throw new TrialStateError(`${where}: study '${name}': directions must be 'minimize' or 'maximize', one per objective, the first equal to direction '${direction}'; got [${directions.join(', ')}]`);
  }
  return [...directions];
}

function lastBeat(t: FrozenTrial): number {
  return t.heartbeatAt ?? t.startedAt ?? 0;
}
