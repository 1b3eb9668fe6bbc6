// `npm run bench tpe-variants`: TPE's options measured on the search-quality functions: median
// regret after 100 trials over seeds 1-12 for the default (univariate, bandwidth-weighted scores,
// prior weight 1, range ends not counted as neighbours, 24 candidates) and one change at a time.
import { runSamplerLoop, TpeSampler } from '@anneal/search';
import { QUALITY_FUNCTIONS } from './quality-functions.js';
import { median } from './quality-stats.js';
const variants: Record<string, (s: number) => TpeSampler> = {
  default: (seed) => new TpeSampler({ seed }),
  endpoints: (seed) => new TpeSampler({ seed, considerEndpoints: true }),
  prior05: (seed) => new TpeSampler({ seed, priorWeight: 0.5 }),
  density: (seed) => new TpeSampler({ seed, bandwidthWeighted: false }),
  mv: (seed) => new TpeSampler({ seed, multivariate: true }),
  cand48: (seed) => new TpeSampler({ seed, nEiCandidates: 48 }),
};

/** Runs the comparison and prints one line per function. */
export function runTpeVariants(): void {
  const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
  for (const fn of QUALITY_FUNCTIONS) {
    const row: string[] = [];
    for (const [name, make] of Object.entries(variants)) {
      const best = seeds.map((s) => Math.min(...runSamplerLoop(make(s), fn.space, 100, 'minimize', { value: fn.f }).map((t) => t.value!)));
      row.push(`${name} ${Number((median(best) - fn.minimum).toPrecision(3))}`);
    }
    console.log(fn.name.padEnd(18), row.join(' | '));
  }
}
