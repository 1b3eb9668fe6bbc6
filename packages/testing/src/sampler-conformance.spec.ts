import { fromInternal, type Distribution, type FrozenTrial, type ParamValue, type Sampler, type StudyView } from '@anneal/search';
import { describe, expect, it } from 'vitest';
import { describeSamplerConformance, samplerConformanceChecks } from './sampler-conformance.js';

/** A third party's sampler, written only against the contract: a hash of (seed, trial, name) picks the value. */
class HashSampler implements Sampler {
  readonly name = 'hash';
  constructor(private readonly seed: number) {}
  sampleIndependent(_study: StudyView, trial: FrozenTrial, name: string, d: Distribution): ParamValue {
    let h = (this.seed * 2654435761) ^ (trial.number * 40503);
    for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    const u = ((h >>> 0) % 1_000_003) / 1_000_003;
    if (d.kind === 'categorical') return d.choices[Math.floor(u * d.choices.length)]!;
    const lo = d.log ? Math.log(d.low) : d.low;
    const hi = d.log ? Math.log(d.high) : d.high;
    const x = lo + u * (hi - lo);
    return fromInternal(d, d.log ? Math.exp(x) : x);
  }
}

describeSamplerConformance('third-party hash sampler', (seed) => new HashSampler(seed));

const check = (words: string) => samplerConformanceChecks.find((c) => c.title.includes(words))!;

describe('sampler conformance catches broken samplers', () => {
  it('a sampler returning values outside a distribution', () => {
    class Outside extends HashSampler {
      override sampleIndependent(s: StudyView, t: FrozenTrial, n: string, d: Distribution): ParamValue {
        return n === 'n_step' && t.number > 3 ? 7 : super.sampleIndependent(s, t, n, d);
      }
    }
    expect(() => check('(minimize)').run((seed) => new Outside(seed))).toThrow(/'n_step'.*outside int \[0, 20\] step 5/);
  });

  it('a sampler that keeps a hidden counter instead of reading the trials', () => {
    class Counter extends HashSampler {
      private calls = 0;
      override sampleIndependent(s: StudyView, t: FrozenTrial, n: string, d: Distribution): ParamValue {
        return super.sampleIndependent(s, { ...t, number: this.calls++ }, n, d);
      }
    }
    expect(() => check('fresh instance').run((seed) => new Counter(seed))).toThrow(/must not keep state/);
    // but it is reproducible from the start, so that check passes
    expect(() => check('same seed').run((seed) => new Counter(seed))).not.toThrow();
  });

  it('a sampler that ignores its seed', () => {
    expect(() => check('different seeds').run(() => new HashSampler(5))).toThrow(/identical values/);
  });

  it('a sampler that draws from a shared random stream', () => {
    let state = 1;
    const shared = () => (state = (state * 48271) % 2147483647) / 2147483647;
    class Unseeded extends HashSampler {
      override sampleIndependent(_s: StudyView, _t: FrozenTrial, _n: string, d: Distribution): ParamValue {
        return d.kind === 'categorical' ? d.choices[Math.floor(shared() * d.choices.length)]! : fromInternal(d, d.low + shared() * (d.high - d.low));
      }
    }
    expect(() => check('same seed').run((seed) => new Unseeded(seed))).toThrow(/differ at trial/);
  });
});
