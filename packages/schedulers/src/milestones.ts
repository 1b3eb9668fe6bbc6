import { z } from 'zod';
import { positiveSteps } from './options.js';

/** A zod schema for milestones: strictly increasing integers >= 1. */
export function milestonesSchema(): z.ZodType<number[], number[]> {
  return z
    .array(positiveSteps())
    .refine((m) => m.every((v, i) => i === 0 || v > (m[i - 1] as number)), 'must be strictly increasing');
}

/** How many of the increasing `milestones` are <= `t` (binary search). */
export function countReached(milestones: readonly number[], t: number): number {
  let lo = 0;
  let hi = milestones.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((milestones[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
