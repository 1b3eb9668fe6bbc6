import type { Direction, Distribution, FrozenTrial, ParamValue, Storage, StudyRecord, TrialState } from '../types.js';
import { TrialBook, type EnqueueFixed } from './trial-book.js';

/**
 * Studies kept in this process's memory (the default storage of `createStudy`): fast, and gone
 * when the process ends. Every call is atomic (JavaScript runs one call at a time). Stored
 * trials are immutable objects that are replaced on change, so `getTrials` is a consistent
 * snapshot; attribute values are stored by reference, so do not mutate them afterwards.
 *
 * @example
 * const storage = new MemoryStorage();
 * const study = await createStudy('quadratic', { storage });
 */
export class MemoryStorage implements Storage {
  private readonly book = new TrialBook('memory storage');

  async createStudy(name: string, direction: Direction, options: { loadIfExists?: boolean; directions?: readonly Direction[] } = {}): Promise<StudyRecord> {
    return this.book.createStudy(name, direction, !!options.loadIfExists, options.directions);
  }

  async getStudy(name: string): Promise<StudyRecord | undefined> {
    return this.book.getStudy(name);
  }

  async listStudies(): Promise<StudyRecord[]> {
    return this.book.listStudies();
  }

  async setStudyAttr(study: string, key: string, value: unknown, kind: 'user' | 'system'): Promise<void> {
    this.book.setStudyAttr(study, key, value, kind);
  }

  async startTrial(study: string, worker: string): Promise<FrozenTrial> {
    return this.book.startTrial(study, worker, Date.now());
  }

  async claimWaitingTrial(study: string, worker: string): Promise<FrozenTrial | undefined> {
    return this.book.claimWaitingTrial(study, worker, Date.now());
  }

  async enqueueTrial(study: string, fixed: EnqueueFixed): Promise<FrozenTrial> {
    return this.book.enqueueTrial(study, fixed);
  }

  async setParam(trialId: string, name: string, distribution: Distribution, value: ParamValue): Promise<void> {
    this.book.setParam(trialId, name, distribution, value);
  }

  async reportIntermediate(trialId: string, step: number, value: number): Promise<void> {
    this.book.reportIntermediate(trialId, step, value);
  }

  async setTrialAttr(trialId: string, key: string, value: unknown, kind: 'user' | 'system'): Promise<void> {
    this.book.setTrialAttr(trialId, key, value, kind);
  }

  async heartbeat(trialId: string): Promise<void> {
    this.book.heartbeat(trialId, Date.now());
  }

  async finishTrial(trialId: string, state: 'complete' | 'pruned' | 'fail', options: { value?: number; values?: readonly number[]; error?: string } = {}): Promise<FrozenTrial> {
    return this.book.finishTrial(trialId, state, options, Date.now());
  }

  async getTrial(trialId: string): Promise<FrozenTrial> {
    return this.book.getTrial(trialId);
  }

  async getTrials(study: string, states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    return this.book.getTrials(study, states);
  }

  async failStaleTrials(study: string, graceMs: number, options: { retry?: boolean } = {}): Promise<FrozenTrial[]> {
    const now = Date.now();
    return this.book.hasStale(study, graceMs, now) ? this.book.failStaleTrials(study, graceMs, !!options.retry, now) : [];
  }

  async close(): Promise<void> {}
}
