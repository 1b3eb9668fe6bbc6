/**
 * PBT intervals as a work queue in a study: each (member, generation) interval is enqueued as a
 * `waiting` trial carrying its hyperparameters (params) and its `pbt` attribute, and claimed by
 * one process at a time. A trial the storage failed as stale and retried (`failStaleTrials`
 * copies params, not system attributes) is the interval of the trial it retries (`retryOf`).
 */
import { hostname } from 'node:os';
import { TrialStateError } from '../errors.js';
import type { Distribution, FrozenTrial, ParamValue, Storage } from '../types.js';
import { pbtAttr, type PbtStepAttr } from './pbt-record.js';

/** The error of an interval left running by a stopped or killed process (it is enqueued again). */
export const INTERRUPTED = 'interrupted; retrained on resume';
/** How the error of a trial given back unrun starts. */
export const NOT_RUN = 'not run: ';

/** The interval of a trial: its own `pbt` attribute, or that of the trial it retries (followed back). */
export function intervalOf(trial: FrozenTrial, byNumber: ReadonlyMap<number, FrozenTrial>): PbtStepAttr | undefined {
  let t: FrozenTrial | undefined = trial;
  for (let hops = 0; t && hops <= byNumber.size; hops++) {
    const a = pbtAttr(t);
    if (a) return a;
    t = t.retryOf === undefined ? undefined : byNumber.get(t.retryOf);
  }
  return undefined;
}

/** The trials of a study grouped by interval (`member/generation`), each group in number order. */
export function byInterval(trials: readonly FrozenTrial[]): Map<string, { attr: PbtStepAttr; trials: FrozenTrial[] }> {
  const byNumber = new Map(trials.map((t) => [t.number, t]));
  const out = new Map<string, { attr: PbtStepAttr; trials: FrozenTrial[] }>();
  for (const t of trials) {
    const attr = intervalOf(t, byNumber);
    if (!attr) continue;
    const key = `${attr.member}/${attr.generation}`;
    const group = out.get(key) ?? { attr, trials: [] };
    group.trials.push(t);
    out.set(key, group);
  }
  return out;
}

/** Whether an interval's trials include one that is done or still to be done (not only failed ones). */
export const isPending = (trials: readonly FrozenTrial[] | undefined) => !!trials?.some((t) => t.state !== 'fail' && t.state !== 'pruned');

/**
 * The trial that makes `trial` a duplicate: another one of its interval that is complete, or
 * waiting or running with a lower number (enqueued first). Duplicates only arise when two
 * processes repaired the same interval at once; the later copy is given back unrun.
 */
export function duplicateOf(trial: FrozenTrial, group: readonly FrozenTrial[]): FrozenTrial | undefined {
  return group.find((t) => t.id !== trial.id && (t.state === 'complete' || ((t.state === 'waiting' || t.state === 'running') && t.number < trial.number)));
}

/** Enqueues an interval: a waiting trial with its hyperparameters as params and its `pbt` attribute. */
export function enqueueInterval(storage: Storage, study: string, space: Readonly<Record<string, Distribution>>, attr: PbtStepAttr, hyperparameters: Readonly<Record<string, ParamValue>>, retryOf?: number): Promise<FrozenTrial> {
  const params: Record<string, ParamValue> = {};
  const distributions: Record<string, Distribution> = {};
  for (const [p, d] of Object.entries(space)) {
    if (hyperparameters[p] === undefined) continue;
    params[p] = hyperparameters[p]!;
    distributions[p] = d;
  }
  return storage.enqueueTrial(study, { params, distributions, systemAttrs: { pbt: attr }, ...(retryOf !== undefined ? { retryOf } : {}) });
}

/**
 * Fails a running interval `error` and enqueues it again (same params, `retryOf`); false when it
 * was not running any more (failed as stale, or repaired by another process meanwhile).
 */
export async function failAndRequeue(storage: Storage, study: string, trial: FrozenTrial, attr: PbtStepAttr, error: string): Promise<boolean> {
  try {
    await storage.finishTrial(trial.id, 'fail', { error });
  } catch (e) {
    if (e instanceof TrialStateError) return false;
    throw e;
  }
  await storage.enqueueTrial(study, { params: { ...trial.params }, distributions: { ...trial.distributions }, retryOf: trial.number, systemAttrs: { pbt: attr } });
  return true;
}

/**
 * Whether the worker id (`host:pid:random`, see defaultWorkerId) names a process of this host
 * that no longer exists (killed): its running trials can be retrained at once instead of after
 * the heartbeat grace. Another host's worker, this process, or an id of another shape: false.
 */
export function deadLocalWorker(worker: string | undefined): boolean {
  const parts = worker?.split(':');
  if (!parts || parts.length < 3) return false;
  const pid = Number(parts.at(-2));
  if (parts.slice(0, -2).join(':') !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Claims the oldest waiting trial of the study, never starting a trial of its own: through the
 * storage's optional `claimWaitingTrial`, else `startTrial` when a trial waits (in one process
 * that is exact; a trial another process claimed first makes startTrial create a new one, given
 * back at once as failed 'not run'). Calls from one process must not overlap (the caller
 * serializes them).
 */
export async function claimWaiting(storage: Storage, study: string, worker: string): Promise<FrozenTrial | undefined> {
  if (storage.claimWaitingTrial) return storage.claimWaitingTrial(study, worker);
  if (!(await storage.getTrials(study, ['waiting'])).length) return undefined;
  const trial = await storage.startTrial(study, worker);
  // a claimed interval carries its attribute or retries one; a trial startTrial made is empty
  if (pbtAttr(trial) || trial.retryOf !== undefined) return trial;
  await storage.finishTrial(trial.id, 'fail', { error: `${NOT_RUN}no PBT interval was left to claim (another process claimed it first; this storage has no claimWaitingTrial)` });
  return undefined;
}
