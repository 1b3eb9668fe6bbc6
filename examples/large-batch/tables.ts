// The Markdown tables of results.md (and of the console summary).
import type { RunResult } from './run-variant.js';
import type { LayoutResult, VariantSummary } from './summary.js';
import type { Study } from './variants.js';

const pct = (v: number, digits = 2) => (Number.isFinite(v) ? (v * 100).toFixed(digits) : '—');
const lr = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : '—');
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}` : '—');

function warmup(s: VariantSummary): string {
  if (s.batch === 16 || !s.warmupEpochs) return s.baseline ? '—' : 'none';
  return `${s.warmupEpochs} epochs (${s.warmupSteps} updates)`;
}

/**
 * The results table of one study: variant, optimizer, batch, lr (schedule base, and the first and
 * largest lr the run used), warmup, updates, test accuracy mean ± std over seeds, min..max, gap to
 * the baseline in points, and training examples/s.
 */
export function variantTable(summary: readonly VariantSummary[], study: Study): string {
  const lines = [
    '| variant | optimizer | batch | lr: tuned base → used first → used max | warmup | updates | test accuracy % (mean ± std) | min..max % | gap to baseline (points) | examples/s |',
    '|---|---|---:|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of summary.filter((x) => x.study === study)) {
    if (s.skipped) {
      lines.push(`| ${s.label} | ${s.optimizer} | ${s.batch} | ${lr(s.baseLr)} | — | — | not run: ${s.skipped} | — | — | — |`);
      continue;
    }
    const acc = `${pct(s.mean)} ± ${pct(s.std)}${s.diverged ? ` (${s.diverged} of ${s.seeds.length} diverged)` : ''}`;
    const layout = s.workers > 1 ? ` (${s.workers} workers)` : '';
    lines.push(
      `| ${s.label} | ${s.optimizer} | ${s.batch} | ${lr(s.baseLr)} → ${lr(s.lrFirst)} → ${lr(s.lrMax)} | ${warmup(s)} | ${s.steps} | ${acc} | ${pct(s.min)}..${pct(s.max)} | ${s.baseline ? '—' : signed(s.gap)} | ${Math.round(s.examplesPerSecond)}${layout} |`,
    );
  }
  return lines.join('\n');
}

/** Every run: variant, seed, test accuracy and loss, updates, seconds, throughput. */
export function runsTable(runs: readonly RunResult[], labels: ReadonlyMap<string, string>): string {
  const lines = ['| variant | seed | test accuracy % | test loss | updates | examples/s | seconds |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of runs) {
    const acc = r.diverged ? `diverged (${r.diverged.split('\n')[0]})` : pct(r.accuracy);
    lines.push(`| ${labels.get(r.id) ?? r.id} | ${r.seed} | ${acc} | ${Number.isFinite(r.loss) ? r.loss.toFixed(4) : '—'} | ${r.steps} | ${Math.round(r.examplesPerSecond)} | ${r.seconds.toFixed(1)} |`);
  }
  return lines.join('\n');
}

/** The seed-0 sweep behind (d1) and (d2): setting, peak lr, test accuracy and loss. */
export function sweepTable(rows: readonly { label: string; setting: string; run?: RunResult; skipped?: string }[]): string {
  const lines = ['| optimizer | setting | lr used max | test accuracy % | test loss |', '|---|---|---:|---:|---:|'];
  for (const { label, setting, run, skipped } of rows) {
    if (!run) {
      lines.push(`| ${label} | ${setting} | — | not run: ${skipped ?? 'unknown'} | — |`);
      continue;
    }
    const acc = run.diverged ? 'diverged (non-finite loss)' : pct(run.accuracy);
    lines.push(`| ${label} | ${setting} | ${lr(run.lrMax)} | ${acc} | ${Number.isFinite(run.loss) ? run.loss.toFixed(4) : '—'} |`);
  }
  return lines.join('\n');
}

/**
 * Throughput of one config in several layouts, with the speed-up over the first (one session,
 * one thread) and the scaling efficiency throughput(W) / (W x throughput(one thread)).
 */
export function layoutTable(layouts: readonly LayoutResult[]): string {
  const lines = ['| layout | examples/s (median) | rounds (examples/s) | x vs 1 thread | scaling efficiency | test accuracy % |', '|---|---:|---|---:|---:|---|'];
  const base = layouts[0]?.examplesPerSecond ?? NaN;
  for (const l of layouts) {
    const cores = Math.max(l.workers, l.threads);
    const eff = cores > 1 ? `${((l.examplesPerSecond / (cores * base)) * 100).toFixed(0)}%` : '—';
    lines.push(
      `| ${l.label} | ${Math.round(l.examplesPerSecond)} | ${l.rounds.map((r) => Math.round(r)).join(', ')} | ${(l.examplesPerSecond / base).toFixed(2)} | ${eff} | ${[...new Set(l.accuracies.map((a) => pct(a)))].join(', ')} |`,
    );
  }
  return lines.join('\n');
}
