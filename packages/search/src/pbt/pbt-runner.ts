/**
 * The loop one process runs to train PBT intervals from a study shared with other processes:
 * claim a waiting interval, train it from its parent's checkpoint, save, finish. The last
 * member's interval of a generation is its coordinator: it finishes last, after waiting for the
 * others (training any still waiting meanwhile), and before it finishes it enqueues the next
 * generation, planned from the scores. A coordinator lost before finishing is failed as stale and
 * retried like any interval, so every generation is enqueued once, by one process.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { SearchError, TrialStateError } from '../errors.js';
import type { Direction, Distribution, FrozenTrial, ParamValue, Storage } from '../types.js';
import type { MemberPlan } from './pbt-explore.js';
import type { PbtMember } from './pbt-member.js';
import { byInterval, claimWaiting, duplicateOf, enqueueInterval, failAndRequeue, INTERRUPTED, intervalOf, isPending, NOT_RUN } from './pbt-queue.js';
import { pbtAttr, type PbtStep, type PbtStepAttr } from './pbt-record.js';

/** What a runner needs of its PBT run. */
export interface PbtRunnerSettings {
  readonly name: string;
  readonly storage: Storage;
  readonly space: Readonly<Record<string, Distribution>>;
  readonly population: number;
  readonly generations: number;
  readonly direction: Direction;
  readonly concurrency: number;
  readonly keepCheckpoints: boolean;
  readonly heartbeat: { readonly intervalMs: number; readonly graceMs: number };
  readonly worker: string;
  checkpointPath(member: number, generation: number): string;
  createMember(index: number): Promise<PbtMember>;
  /** The plans of generation `generation + 1` from generation `generation`'s scores and hyperparameters. */
  planAfter(generation: number, scores: readonly number[], current: readonly Readonly<Record<string, ParamValue>>[]): MemberPlan[];
  onStep?(step: PbtStep): void;
  log?(line: string): void;
}

interface Claimed {
  readonly trial: FrozenTrial;
  readonly attr: PbtStepAttr;
}

/** Thrown into a waiting coordinator when another loop of this process failed. */
class Stopped extends Error {}

const label = (a: PbtStepAttr, trial: FrozenTrial) => `member ${a.member}, generation ${a.generation} (trial ${trial.number})`;

/** Whether every member has a complete interval of `generation`. */
export function generationComplete(groups: ReturnType<typeof byInterval>, population: number, generation: number, except?: number): boolean {
  for (let m = 0; m < population; m++) if (m !== except && !groups.get(`${m}/${generation}`)?.trials.some((t) => t.state === 'complete')) return false;
  return true;
}

/** Whether every interval of the run is complete (a coordinator lost after it enqueued the next generation can be the last one). */
export function runComplete(groups: ReturnType<typeof byInterval>, population: number, generations: number): boolean {
  for (let g = 0; g < generations; g++) if (!generationComplete(groups, population, g)) return false;
  return true;
}

/** One process's share of a PBT run: `concurrency` loops claiming and training intervals until the last generation is complete. */
export class PbtRunner {
  private readonly members = new Map<number, Promise<PbtMember>>();
  /** The generation whose end state each member holds in memory (absent: unknown, load before training). */
  private readonly holds = new Map<number, number>();
  private claims: Promise<unknown> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  private wake!: () => void;
  private woken!: Promise<void>;

  constructor(private readonly s: PbtRunnerSettings) {
    this.notify();
  }

  /** Trains intervals until the population has finished; rethrows the first error of a loop (after the others stopped). */
  async work(): Promise<void> {
    try {
      await Promise.all(Array.from({ length: this.s.concurrency }, () => this.loop().catch((error: unknown) => {
        this.failure ??= { error };
        this.notify();
      })));
    } finally {
      await Promise.allSettled([...this.members.values()].map(async (m) => (await m).release?.()));
    }
    if (this.failure) throw this.failure.error;
  }

  private async loop(): Promise<void> {
    const { storage, name } = this.s;
    for (;;) {
      if (this.failure) return;
      const claimed = await this.claim();
      if (claimed) {
        await this.runInterval(claimed);
        continue;
      }
      if (runComplete(byInterval(await storage.getTrials(name)), this.s.population, this.s.generations)) return;
      await this.idle();
    }
  }

  /** Wakes waiting loops of this process (an interval finished here). */
  private notify(): void {
    this.wake?.();
    this.woken = new Promise((r) => (this.wake = r));
  }

  /** Fails the intervals of lost workers (retried by the storage), then waits a poll interval or until this process finishes one. */
  private async idle(): Promise<void> {
    const { storage, name, heartbeat } = this.s;
    const lost = await storage.failStaleTrials(name, heartbeat.graceMs, { retry: true });
    if (lost.length) {
      const byNumber = new Map((await storage.getTrials(name)).map((t) => [t.number, t]));
      for (const t of lost) {
        const a = intervalOf(t, byNumber);
        this.s.log?.(`${a ? label(a, t) : `trial ${t.number}`}: its worker ${t.worker ?? ''} sent no heartbeat for ${heartbeat.graceMs} ms; failed and enqueued again`);
      }
    }
    // (a timer that keeps the process alive: a process that only waits for others must not exit)
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([new Promise<void>((r) => (timer = setTimeout(r, heartbeat.intervalMs))), this.woken]);
    clearTimeout(timer);
  }

  /** The oldest waiting interval, claimed for this process (claims of its loops never overlap). */
  private claim(): Promise<Claimed | undefined> {
    const { storage, name, worker } = this.s;
    const next = this.claims.then(async (): Promise<Claimed | undefined> => {
      for (;;) {
        const trial = await claimWaiting(storage, name, worker);
        if (!trial) return undefined;
        const own = pbtAttr(trial);
        const attr = own ?? intervalOf(trial, new Map((await storage.getTrials(name)).map((t) => [t.number, t])));
        if (!attr) {
          await storage.finishTrial(trial.id, 'fail', { error: `${NOT_RUN}not a PBT interval (no 'pbt' system attribute); study '${name}' holds a PBT run` });
          continue;
        }
        // a retry made by failStaleTrials: it gets the attribute of the trial it retries
        if (!own) await storage.setTrialAttr(trial.id, 'pbt', attr, 'system');
        return { trial, attr };
      }
    });
    this.claims = next.catch(() => undefined);
    return next;
  }

  private member(m: number): Promise<PbtMember> {
    let made = this.members.get(m);
    if (!made) this.members.set(m, (made = this.s.createMember(m)));
    return made;
  }

  /** Trains (or gives back) one claimed interval; a coordinator also waits for its generation and enqueues the next. */
  private async runInterval({ trial, attr }: Claimed): Promise<void> {
    const { storage, name, population, generations, heartbeat } = this.s;
    const { member: m, generation: g } = attr;
    const coordinator = m === population - 1;
    const beat = setInterval(() => void storage.heartbeat(trial.id).catch(() => {}), heartbeat.intervalMs);
    beat.unref?.();
    try {
      const groups = byInterval(await storage.getTrials(name));
      const group = groups.get(`${m}/${g}`)?.trials ?? [];
      const duplicate = duplicateOf(trial, group);
      if (duplicate) {
        const error = `${NOT_RUN}a second copy of member ${m}, generation ${g} (trial ${duplicate.number} is that interval)`;
        if (await this.tryTold(async () => void (await storage.finishTrial(trial.id, 'fail', { error })), attr, trial)) this.s.log?.(`${label(attr, trial)}: given back unrun, trial ${duplicate.number} is that interval`);
        return;
      }
      // a coordinator lost after it enqueued the next generation: its checkpoint and score are there, and members of the next generation may be training from them
      const recorded = coordinator && [...groups.values()].some((x) => x.attr.generation === g + 1) ? group.map((t) => t.intermediate[g]).find((v) => v !== undefined) : undefined;
      // (a recorded NaN reads back as null from Redis, which keeps values as JSON)
      const score = recorded !== undefined ? (recorded ?? NaN) : await this.train(trial, attr);
      if (coordinator) {
        if (recorded === undefined && !(await this.tryTold(() => storage.reportIntermediate(trial.id, g, score), attr, trial))) return;
        await this.barrier(g);
        if ((await storage.getTrial(trial.id)).state !== 'running') return this.dropped(attr, trial);
        if (g + 1 < generations) await this.enqueueNext(g, score, trial.params);
      }
      let finished: FrozenTrial | undefined;
      if (!(await this.tryTold(async () => void (finished = await storage.finishTrial(trial.id, 'complete', { value: score })), attr, trial))) return;
      this.notify();
      this.s.onStep?.({ ...attr, trial: finished!.number, state: 'complete', score, hyperparameters: finished!.params });
      if (coordinator && !this.s.keepCheckpoints && g >= 1) for (let k = 0; k < population; k++) rmSync(this.s.checkpointPath(k, g - 1), { force: true });
    } catch (e) {
      this.holds.delete(m);
      clearInterval(beat);
      // stopped on an error: the interval is enqueued again, for another process or a resume
      await failAndRequeue(storage, name, trial, attr, INTERRUPTED).catch(() => undefined);
      throw e;
    } finally {
      clearInterval(beat);
    }
  }

  /** Loads the parent's checkpoint (unless this process holds it), trains the interval and saves its checkpoint. */
  private async train(trial: FrozenTrial, attr: PbtStepAttr): Promise<number> {
    const { member: m, generation: g, parent } = attr;
    const member = await this.member(m);
    if (g > 0 && !(parent === m && this.holds.get(m) === g - 1)) await member.load(this.s.checkpointPath(parent, g - 1));
    this.holds.delete(m);
    member.setHyperparameters(trial.params);
    const checkpoint = this.s.checkpointPath(m, g);
    mkdirSync(dirname(checkpoint), { recursive: true });
    const score = await member.train();
    await member.save(checkpoint);
    this.holds.set(m, g);
    return score;
  }

  /** Runs a storage call on this process's interval; false when the interval was taken from it (failed as stale: this process was silent past the grace). */
  private async tryTold(call: () => Promise<void>, attr: PbtStepAttr, trial: FrozenTrial): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (e) {
      if (!(e instanceof TrialStateError)) throw e;
      this.dropped(attr, trial);
      return false;
    }
  }

  private dropped(attr: PbtStepAttr, trial: FrozenTrial): void {
    this.s.log?.(`${label(attr, trial)}: dropped, this worker was silent longer than the heartbeat grace (${this.s.heartbeat.graceMs} ms) and the interval was failed and retried; going on`);
  }

  /** Waits until every other member's interval of `generation` is complete, training waiting ones meanwhile. */
  private async barrier(generation: number): Promise<void> {
    const { storage, name, population } = this.s;
    for (;;) {
      if (this.failure) throw new Stopped('another loop of this process stopped with an error');
      const groups = byInterval(await storage.getTrials(name));
      if (generationComplete(groups, population, generation, population - 1)) return;
      await this.requeueLost(groups, generation);
      const claimed = await this.claim();
      if (claimed) await this.runInterval(claimed);
      else await this.idle();
    }
  }

  /**
   * Enqueues again an interval of `generation` whose trials all failed a grace period ago (its
   * process stopped between failing it and enqueueing it again); only the generation's
   * coordinator does this, so at most one copy is made.
   */
  private async requeueLost(groups: ReturnType<typeof byInterval>, generation: number): Promise<void> {
    const { storage, name, population, space, heartbeat } = this.s;
    for (let m = 0; m < population - 1; m++) {
      const group = groups.get(`${m}/${generation}`);
      const last = group?.trials.at(-1);
      if (!group || !last || isPending(group.trials) || Date.now() - (last.completedAt ?? 0) <= heartbeat.graceMs) continue;
      await enqueueInterval(storage, name, space, group.attr, last.params, last.number);
      this.s.log?.(`${label(group.attr, last)}: failed and not enqueued again; enqueued`);
    }
  }

  /** Enqueues the intervals of generation `generation + 1` that are not enqueued yet, planned from `generation`'s scores (the coordinator's own not stored yet). */
  private async enqueueNext(generation: number, ownScore: number, ownParams: Readonly<Record<string, ParamValue>>): Promise<void> {
    const { storage, name, population, space } = this.s;
    const groups = byInterval(await storage.getTrials(name));
    const scores: number[] = [];
    const current: Readonly<Record<string, ParamValue>>[] = [];
    for (let m = 0; m < population; m++) {
      const done = m === population - 1 ? undefined : groups.get(`${m}/${generation}`)?.trials.find((t) => t.state === 'complete');
      if (m !== population - 1 && !done) throw new SearchError('PBT_STATE', `study '${name}': member ${m} has no complete interval of generation ${generation} to plan the next one from`);
      scores.push(done ? (done.value ?? NaN) : ownScore);
      current.push(done ? done.params : ownParams);
    }
    const plans = this.s.planAfter(generation, scores, current);
    const next = generation + 1;
    for (let m = 0; m < population; m++) {
      if (isPending(groups.get(`${m}/${next}`)?.trials)) continue;
      const plan = plans[m]!;
      await enqueueInterval(storage, name, space, { member: m, generation: next, parent: plan.parent, exploited: plan.exploited, checkpoint: this.s.checkpointPath(m, next) }, plan.hyperparameters);
    }
  }
}
