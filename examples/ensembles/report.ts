// results.md and the chart, generated from the same values as results.json.
import { writeChart, type ChartGridSpec, type LineChartSpec } from '@anneal/report';
import type { EmaResult, Score, SwaResult } from './averaging.js';
import type { MemberGroup, SnapshotRun } from './members.js';

/** Everything the experiment measured (= results.json). */
export interface Results {
  settings: { quick: boolean; out: string; members: number; parallel: number; memberSeeds: number[]; runSeeds: number[] };
  regimes: { members: Record<string, string>; snapshots: Record<string, string>; swa: Record<string, string>; ema: string };
  members: MemberGroup[];
  snapshots: SnapshotRun[];
  ema: EmaResult[];
  swa: (SwaResult & { regime: string })[];
  seconds: number;
  machine: { cpus: number; node: string };
}

const pct = (v: number) => (v * 100).toFixed(2);
const pts = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(2)}`;
const nll = (v: number) => v.toFixed(3);
const dNll = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
const cell = (s: Score) => `${pct(s.accuracy)} / ${nll(s.nll)}`;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Per regime per seed group: the members' spread, mean and best member, the ensemble, its gains. */
export function membersTable(groups: readonly MemberGroup[], labels: Record<string, string>): string {
  const lines = [
    '| regime | base seed | members (acc. %) | mean member (acc. % / NLL) | best member (acc. % / NLL) | ensemble (acc. % / NLL) | gain over mean (points / NLL) | gain over best (points / NLL) |',
    '|---|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const g of groups) {
    const acc = g.members.map((m) => m.accuracy);
    lines.push(
      `| ${labels[g.regime] ?? g.regime} | ${g.seed} | ${pct(Math.min(...acc))}–${pct(Math.max(...acc))} | ${cell(g.meanMember)} | ${cell(g.bestMember)} | ${cell(g.ensemble)} | ` +
        `${pts(g.ensemble.accuracy - g.meanMember.accuracy)} / ${dNll(g.ensemble.nll - g.meanMember.nll)} | ${pts(g.ensemble.accuracy - g.bestMember.accuracy)} / ${dNll(g.ensemble.nll - g.bestMember.nll)} |`,
    );
  }
  return lines.join('\n');
}

/** One line per regime: in how many groups the ensemble beat the mean and the best member, and the mean gains. */
export function membersSummary(groups: readonly MemberGroup[], labels: Record<string, string>): string[] {
  return Object.keys(labels).flatMap((regime) => {
    const gs = groups.filter((g) => g.regime === regime);
    if (!gs.length) return [];
    const overMean = gs.map((g) => g.ensemble.accuracy - g.meanMember.accuracy);
    const overBest = gs.map((g) => g.ensemble.accuracy - g.bestMember.accuracy);
    const nllBest = gs.filter((g) => g.ensemble.nll < g.bestMember.nll).length;
    return [
      `- ${labels[regime]}: the ensemble beat the mean member in ${overMean.filter((v) => v > 0).length}/${gs.length} groups (mean ${pts(mean(overMean))} points) ` +
        `and the best member in ${overBest.filter((v) => v > 0).length}/${gs.length} (mean ${pts(mean(overBest))} points; ties ${overBest.filter((v) => v === 0).length}); ` +
        `its NLL was below the best member's in ${nllBest}/${gs.length}.`,
    ];
  });
}

/** Per snapshot run: every snapshot, then the ensembles of the last m. */
export function snapshotTable(runs: readonly SnapshotRun[], labels: Record<string, string>): string {
  const cycles = Math.max(...runs.map((r) => r.cycles));
  const ms = Array.from({ length: cycles - 1 }, (_, i) => i + 2);
  const lines = [
    `| run | seed | ${Array.from({ length: cycles }, (_, i) => `snapshot ${i + 1}`).join(' | ')} | ${ms.map((m) => `last ${m}`).join(' | ')} | best ensemble − last (points) | NLL last → all |`,
    `|---|---:|${'---:|'.repeat(cycles + ms.length + 2)}`,
  ];
  for (const r of runs) {
    const last = r.snapshots[r.snapshots.length - 1]!;
    const best = Math.max(...r.lastM.map((e) => e.accuracy));
    const snaps = r.snapshots.map((s, i) => (i === r.snapshots.length - 1 ? `**${pct(s.accuracy)}**` : pct(s.accuracy)));
    const ens = ms.map((m) => {
      const e = r.lastM.find((x) => x.m === m);
      return e ? (e.accuracy > last.accuracy ? `**${pct(e.accuracy)}**` : pct(e.accuracy)) : '—';
    });
    lines.push(`| ${labels[r.regime] ?? r.regime} | ${r.seed} | ${snaps.join(' | ')} | ${ens.join(' | ')} | ${pts(best - last.accuracy)} | ${nll(last.nll)} → ${nll(r.lastM[r.lastM.length - 1]!.nll)} |`);
  }
  return lines.join('\n');
}

/** EMA against the raw weights, per seed (the raw weights are the same for every decay: the average does not feed back). */
export function emaTable(runs: readonly EmaResult[]): string {
  const decays = [...new Set(runs.map((r) => r.decay))];
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const lines = [
    `| seed | steps | raw weights (acc. % / NLL) | ${decays.map((d) => `EMA ${d} (acc. % / NLL)`).join(' | ')} | ${decays.map((d) => `EMA ${d} − raw (points)`).join(' | ')} |`,
    `|---:|---:|---:|${decays.map(() => '---:|').join('')}${decays.map(() => '---:|').join('')}`,
  ];
  for (const seed of seeds) {
    const rs = decays.map((d) => runs.find((r) => r.seed === seed && r.decay === d)!);
    lines.push(`| ${seed} | ${rs[0]!.steps} | ${cell(rs[0]!.raw)} | ${rs.map((r) => cell(r.ema)).join(' | ')} | ${rs.map((r) => pts(r.ema.accuracy - r.raw.accuracy)).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** SWA: the last weights and the average with each set of BatchNorm statistics. */
export function swaTable(runs: readonly (SwaResult & { regime: string })[], labels: Record<string, string>): string {
  const lines = [
    '| setting | seed | last weights | average + last weights\' BN stats | average + initial BN stats (mean 0, var 1) | average + averaged BN stats | average + refreshed BN stats |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of runs) lines.push(`| ${labels[r.regime] ?? r.regime} | ${r.seed} | ${cell(r.last)} | ${cell(r.lastStats)} | ${cell(r.initialStats)} | ${cell(r.averagedStats)} | **${cell(r.refreshed)}** |`);
  return lines.join('\n');
}

function membersChart(groups: readonly MemberGroup[], regime: string, label: string): LineChartSpec {
  const gs = groups.filter((g) => g.regime === regime);
  const x = (i: number) => i + 1;
  return {
    title: label,
    x: { label: 'seed group', integer: true },
    y: { label: 'test accuracy (%)' },
    series: [
      { name: 'members', mark: 'points', opacity: 0.45, points: gs.flatMap((g, i) => g.members.map((m) => ({ x: x(i), y: m.accuracy * 100 }))) },
      { name: 'mean member', mark: 'line+points', points: gs.map((g, i) => ({ x: x(i), y: g.meanMember.accuracy * 100 })) },
      { name: 'best member', mark: 'line+points', points: gs.map((g, i) => ({ x: x(i), y: g.bestMember.accuracy * 100 })) },
      { name: 'ensemble', mark: 'line+points', points: gs.map((g, i) => ({ x: x(i), y: g.ensemble.accuracy * 100 })) },
    ],
    width: 460,
    height: 300,
  };
}

function snapshotChart(runs: readonly SnapshotRun[], regime: string, label: string): LineChartSpec {
  return {
    title: `${label}: last snapshot (m = 1) and ensembles of the last m`,
    x: { label: 'snapshots ensembled (the last m)', integer: true },
    y: { label: 'test accuracy (%)' },
    series: runs
      .filter((r) => r.regime === regime)
      .map((r) => ({ name: `seed ${r.seed}`, mark: 'line+points' as const, points: [{ x: 1, y: r.snapshots[r.snapshots.length - 1]!.accuracy * 100 }, ...r.lastM.map((e) => ({ x: e.m, y: e.accuracy * 100 }))] })),
    width: 460,
    height: 300,
  };
}

/** Writes `<dir>/members-vs-ensemble.{svg,png}`: one panel per member regime, plus the first snapshot regime. */
export async function writeResultsChart(dir: string, r: Results): Promise<{ svg: string; png: string }> {
  const spec: ChartGridSpec = {
    title: 'MNIST ensembles: members and their ensemble on the test split',
    charts: [
      ...Object.entries(r.regimes.members).map(([id, label]) => membersChart(r.members, id, label)),
      ...Object.entries(r.regimes.snapshots).slice(0, 1).map(([id, label]) => snapshotChart(r.snapshots, id, label)),
    ],
    columns: 2,
  };
  return writeChart(`${dir}/members-vs-ensemble`, spec);
}

/** One line per SWA setting: mean accuracy and NLL of each column, and how often the refresh beat the averaged statistics. */
export function swaSummary(runs: readonly (SwaResult & { regime: string })[], labels: Record<string, string>): string[] {
  return Object.keys(labels).flatMap((regime) => {
    const rs = runs.filter((r) => r.regime === regime);
    if (!rs.length) return [];
    const avg = (pick: (r: SwaResult) => Score) => `${pct(mean(rs.map((r) => pick(r).accuracy)))} / ${nll(mean(rs.map((r) => pick(r).nll)))}`;
    const wins = rs.filter((r) => r.refreshed.accuracy > r.averagedStats.accuracy).length;
    return [
      `- ${labels[regime]} (mean of ${rs.length} seeds, acc. % / NLL): last weights ${avg((r) => r.last)}; average with the last weights' statistics ${avg((r) => r.lastStats)}, ` +
        `initial statistics ${avg((r) => r.initialStats)}, averaged statistics ${avg((r) => r.averagedStats)}, refreshed ${avg((r) => r.refreshed)}. ` +
        `The refresh beat the averaged statistics in ${wins}/${rs.length} seeds (mean ${pts(mean(rs.map((r) => r.refreshed.accuracy - r.averagedStats.accuracy)))} points) ` +
        `and the last weights' statistics in ${rs.filter((r) => r.refreshed.accuracy > r.lastStats.accuracy).length}/${rs.length} (mean ${pts(mean(rs.map((r) => r.refreshed.accuracy - r.lastStats.accuracy)))} points).`,
    ];
  });
}
