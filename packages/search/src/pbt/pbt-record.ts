/**
 * How a PBT run lives in a study: each (member, generation) interval is one trial whose params
 * are the hyperparameters it trained with, whose value is its score, and whose system attribute
 * `pbt` says which member and generation it is, which member's checkpoint it started from and
 * where its own checkpoint went. Lineage and schedules are read back from those trials.
 */
import type { FrozenTrial, ParamValue } from '../types.js';

/** The `pbt` system attribute of a PBT trial. */
export interface PbtStepAttr {
  readonly member: number;
  readonly generation: number;
  /** The member whose checkpoint of the previous generation this interval started from. */
  readonly parent: number;
  readonly exploited: boolean;
  readonly checkpoint: string;
}

/** One recorded interval. */
export interface PbtStep extends PbtStepAttr {
  readonly trial: number;
  readonly state: FrozenTrial['state'];
  readonly score?: number;
  readonly hyperparameters: Readonly<Record<string, ParamValue>>;
}

/** The PBT attribute of a trial, if it is one of a PBT run. */
export function pbtAttr(trial: FrozenTrial): PbtStepAttr | undefined {
  const a = trial.systemAttrs.pbt as PbtStepAttr | undefined;
  return a && typeof a.member === 'number' && typeof a.generation === 'number' ? a : undefined;
}

/**
 * Every recorded interval of a PBT study, by member then generation (a retried interval: the
 * complete one, else the latest).
 *
 * @example
 * ```ts
 * const steps = pbtSteps(await storage.getTrials('pbt-mnist'));
 * steps.filter((s) => s.member === 0).map((s) => s.hyperparameters.lr); // member 0's lr schedule
 * ```
 */
export function pbtSteps(trials: readonly FrozenTrial[]): PbtStep[] {
  const byKey = new Map<string, PbtStep>();
  for (const t of trials) {
    const a = pbtAttr(t);
    if (!a) continue;
    const key = `${a.member}/${a.generation}`;
    const previous = byKey.get(key);
    if (previous?.state === 'complete' && t.state !== 'complete') continue;
    byKey.set(key, { ...a, trial: t.number, state: t.state, hyperparameters: t.params, ...(t.value !== undefined ? { score: t.value } : {}) });
  }
  return [...byKey.values()].sort((a, b) => a.member - b.member || a.generation - b.generation);
}

/**
 * The intervals a member's model actually went through up to `generation`: following the parent
 * links back through exploits to generation 0, oldest first. Its hyperparameters are the
 * schedule the final model was trained with.
 *
 * @example
 * ```ts
 * const schedule = pbtLineage(steps, best.member, lastGeneration).map((s) => s.hyperparameters.lr);
 * ```
 */
export function pbtLineage(steps: readonly PbtStep[], member: number, generation: number): PbtStep[] {
  const at = new Map(steps.filter((s) => s.state === 'complete').map((s) => [`${s.member}/${s.generation}`, s]));
  const chain: PbtStep[] = [];
  let m = member;
  for (let g = generation; g >= 0; g--) {
    const s = at.get(`${m}/${g}`);
    if (!s) break;
    chain.push(s);
    m = s.parent;
  }
  return chain.reverse();
}
