import type { Finding } from './findings.js';
import type { FitRequest } from './target.js';

/** A run's settings the doctor's actions may change. */
export type Adjustable = Pick<FitRequest, 'lr' | 'weightDecay' | 'epochs' | 'lrSchedule'> & { readonly capacity: number };

/** Bounds on what {@link applyFindings} may do. */
export interface ApplyLimits {
  /** Longest run allowed (default 40 epochs). */
  maxEpochs?: number;
  /** Largest capacity factor (default 4). */
  maxCapacity?: number;
}

/**
 * Applies the actions of the doctor's findings to a run's settings: scale
 * the lr, add a cosine decay, raise or lower weight decay, train longer, widen the model. Returns
 * the new settings and one line per change, or undefined when no finding asks for a change.
 *
 * @example
 * applyFindings({ lr: 1e-2, weightDecay: 0, epochs: 10, lrSchedule: 'constant', capacity: 1 }, findings);
 * // { settings: { ..., lrSchedule: 'cosine' }, changes: ['lr-too-high: add a cosine decay of the learning rate'] }
 */
export function applyFindings(settings: Adjustable, findings: readonly Finding[], limits: ApplyLimits = {}): { settings: Adjustable; changes: string[] } | undefined {
  const maxEpochs = limits.maxEpochs ?? 40;
  const maxCapacity = limits.maxCapacity ?? 4;
  let s = { ...settings };
  const changes: string[] = [];
  for (const f of findings) {
    const a = f.action;
    if (!a) continue;
    if (a.lrFactor !== undefined && a.lrFactor !== 1) {
      s = { ...s, lr: Number((s.lr * a.lrFactor).toPrecision(3)) };
      changes.push(`${f.id}: learning rate x${a.lrFactor} -> ${s.lr}`);
    }
    if ((a.addDecay || a.decayLater) && s.lrSchedule !== 'cosine') {
      s = { ...s, lrSchedule: 'cosine' };
      changes.push(`${f.id}: cosine decay of the learning rate over the whole run`);
    }
    if (a.weightDecay === 'increase') {
      const wd = s.weightDecay > 0 ? s.weightDecay * 10 : 1e-4;
      s = { ...s, weightDecay: Number(wd.toPrecision(3)) };
      changes.push(`${f.id}: weight decay -> ${s.weightDecay}`);
    } else if (a.weightDecay === 'decrease' && s.weightDecay > 0) {
      const wd = s.weightDecay <= 1e-5 ? 0 : s.weightDecay / 10;
      s = { ...s, weightDecay: Number(wd.toPrecision(3)) };
      changes.push(`${f.id}: weight decay -> ${s.weightDecay}`);
    }
    if (a.epochsFactor !== undefined && a.epochsFactor > 1 && s.epochs < maxEpochs) {
      s = { ...s, epochs: Math.min(maxEpochs, Math.round(s.epochs * a.epochsFactor)) };
      changes.push(`${f.id}: ${s.epochs} epochs`);
    }
    if (a.biggerModel && s.capacity < maxCapacity) {
      s = { ...s, capacity: Math.min(maxCapacity, s.capacity * 2) };
      changes.push(`${f.id}: hidden widths x${s.capacity}`);
    }
  }
  return changes.length ? { settings: s, changes } : undefined;
}
