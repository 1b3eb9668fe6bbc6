/**
 * Seeds for samplers. Every draw is derived from (sampler seed, trial number, purpose), never
 * from a stream shared across trials: values then depend only on the seed and the study's
 * trials, and parallel workers that share a seed still get different trials.
 */
import { mix32, seededRandom } from '@anneal/data';

/** FNV-1a hash of a string (32 bits). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Combines numbers and strings into one 32-bit seed (order matters). */
export function combineSeed(...parts: readonly (number | string)[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    if (typeof part === 'string') h = mix32(h ^ hashString(part));
    else {
      const lo = part >>> 0;
      const hi = Math.floor(part / 4294967296) >>> 0;
      h = mix32(mix32(h ^ lo) ^ hi);
    }
  }
  return h;
}

/** A PRNG for one purpose of one trial: same (seed, trial number, purpose), same numbers. */
export function trialRandom(seed: number, trialNumber: number, purpose: string): () => number {
  return seededRandom(combineSeed(seed, trialNumber, purpose));
}

/** A fresh seed for an unseeded sampler (from the platform's crypto source, not Math.random). */
export function defaultSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
}
