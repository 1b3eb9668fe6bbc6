import { basename } from 'node:path';
import type { Finding } from '@anneal/diagnostics';
import { createPipeline, type Pipeline } from '@anneal/pipeline';
import { paretoFront, type FrozenTrial, type TrialState } from '@anneal/search';
import { ChangeFeed } from './change-feed.js';
import { compareCharts } from './compare-charts.js';
import type { DashboardChart } from './dashboard-chart.js';
import { runViewCharts } from './run-charts.js';
import { RunReader, type RunSnapshot } from './run-reader.js';
import { summarizeRun, type RunListing } from './run-summary.js';
import { resolveInside } from './safe-path.js';
import type { FoundFolder } from './scan-folder.js';
import { paretoCharts, studyCharts } from './study-charts.js';
import { multiDirections, studyFront, type HypervolumeView, type ObjectiveView } from './study-front.js';
import { StudyReader, type StudySnapshot } from './study-reader.js';

/** A study as the list shows it. */
export interface StudyListing {
  path: string;
  name: string;
  /** The direction, or the directions of a multi-objective study joined by ', '. */
  direction?: string;
  trials: Partial<Record<TrialState, number>> & { total: number };
  best?: { number: number; value: number };
  /** Trials on the Pareto front of a multi-objective study (which has no single best). */
  front?: number;
  updatedAt: number;
  error?: string;
}

/** A request the data layer refuses: the HTTP status and why. */
export class DataRequestError extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Everything the run page shows. */
export interface RunView {
  run: RunListing;
  charts: DashboardChart[];
  findings: Finding[];
  findingsError?: string;
  config?: Record<string, unknown>;
  /** The finished run's scores from summary.json (test, epochs, steps, stopped, seconds). */
  result?: Record<string, unknown>;
}

/** One trial as the study page lists it. */
export interface TrialRow {
  number: number;
  state: TrialState;
  value?: number;
  /** The objective values of a complete trial of a multi-objective study. */
  values?: readonly number[];
  params: FrozenTrial['params'];
  /** Intermediate values reported (epochs trained, for a trial of `anneal tune`). */
  reports: number;
  /** The trial's run folder, relative to the served folder, when it is there. */
  run?: string;
  error?: string;
}

/** What the study page shows of a multi-objective study: its objectives, Pareto front and hypervolume. */
export interface ParetoView {
  objectives: ObjectiveView[];
  /** Complete trials with a finite value per objective. */
  complete: number;
  /** The front's trials, best first by the first objective. */
  front: TrialRow[];
  hypervolume?: HypervolumeView;
  hypervolumeError?: string;
}

/** Everything the study page shows, per study of the folder's journal. */
export interface StudyView {
  study: StudyListing;
  /** `pareto` is set for a multi-objective study (its charts are then the Pareto chart), `best` for a single-objective one. */
  studies: { name: string; direction: string; trials: TrialRow[]; best?: TrialRow; pareto?: ParetoView; charts: DashboardChart[] }[];
  error?: string;
}

const counts = (trials: readonly FrozenTrial[]) => {
  const c: StudyListing['trials'] = { total: trials.length };
  for (const t of trials) c[t.state] = (c[t.state] ?? 0) + 1;
  return c;
};

const bestOf = (trials: readonly FrozenTrial[], direction: string) =>
  trials.filter((t) => t.state === 'complete' && typeof t.value === 'number' && Number.isFinite(t.value)).reduce<FrozenTrial | undefined>((b, t) => (!b || (direction === 'minimize' ? t.value! < b.value! : t.value! > b.value!) ? t : b), undefined);

/**
 * The dashboard's read side: finds runs and studies under the served folder, reads them through
 * the project's own readers (metrics.jsonl via @anneal/pipeline, journals via @anneal/search),
 * builds each view's charts and runs the doctor as `anneal doctor` does (Pipeline.doctor without a
 * report). Every path a request names goes through resolveInside first.
 */
export class DashboardData {
  readonly feed: ChangeFeed;
  private readonly runs = new RunReader();
  private readonly studies = new StudyReader();
  private readonly doctorCache = new Map<string, { signature: string; findings: Finding[]; error?: string }>();
  private pipeline: Promise<Pipeline> | undefined;

  constructor(
    readonly root: string,
    pollMs: number,
  ) {
    this.feed = new ChangeFeed(root, pollMs);
  }

  /** The found folder a request's path names, or a DataRequestError (403 outside the folder, 404 when not a run/study). */
  private folder(path: string | undefined, kind: 'run' | 'study'): FoundFolder {
    if (path === undefined) throw new DataRequestError(400, `give the ${kind} folder as ?path=<folder relative to the dashboard's folder>`);
    const resolved = resolveInside(this.root, path);
    if (!resolved.ok) throw new DataRequestError(resolved.status, `${path}: refused (${resolved.reason})`);
    const found = this.feed.folders().find((f) => f.rel === resolved.rel && f[kind]);
    if (!found) throw new DataRequestError(404, `${path}: not a ${kind} folder (a ${kind === 'run' ? 'metrics.jsonl or config.json' : 'study.jsonl'} is expected there)`);
    return found;
  }

  private snapshot(f: FoundFolder): RunSnapshot {
    return this.runs.read(f.rel, f.abs, f.signature);
  }

  /** Runs and studies under the folder, most recently updated first. */
  async list(): Promise<{ runs: RunListing[]; studies: StudyListing[] }> {
    const folders = this.feed.folders();
    const runFolders = folders.filter((f) => f.run);
    this.runs.keepOnly(new Set(runFolders.map((f) => f.rel)));
    await this.studies.keepOnly(new Set(folders.filter((f) => f.study).map((f) => f.rel)));
    const runs = runFolders.map((f) => summarizeRun(this.snapshot(f), f.updatedAt)).sort((a, b) => b.updatedAt - a.updatedAt);
    const studies: StudyListing[] = [];
    for (const f of folders.filter((x) => x.study)) studies.push(this.studyListing(f, await this.studies.read(f.rel, f.abs)));
    return { runs, studies: studies.sort((a, b) => b.updatedAt - a.updatedAt) };
  }

  private studyListing(f: FoundFolder, s: StudySnapshot): StudyListing {
    const all = s.studies.flatMap((x) => x.trials);
    const first = s.studies[0];
    const best = first ? bestOf(first.trials, first.direction) : undefined;
    const directions = first && multiDirections(first);
    return {
      path: f.rel,
      name: s.studies.map((x) => x.name).join(', ') || basename(f.abs),
      ...(first ? { direction: directions ? directions.join(', ') : first.direction } : {}),
      trials: counts(all),
      ...(best ? { best: { number: best.number, value: best.value! } } : {}),
      ...(directions ? { front: paretoFront(first.trials, directions).length } : {}),
      updatedAt: f.updatedAt,
      ...(s.error ? { error: s.error } : {}),
    };
  }

  /** The run page's data. */
  async run(path: string | undefined, options: { logLoss?: boolean } = {}): Promise<RunView> {
    const f = this.folder(path, 'run');
    const snap = this.snapshot(f);
    const doctor = await this.doctor(f);
    const s = snap.summary;
    const result = s ? Object.fromEntries(['epochs', 'steps', 'stopped', 'reason', 'test', 'seconds'].filter((k) => k in s).map((k) => [k, s[k]])) : undefined;
    return {
      run: summarizeRun(snap, f.updatedAt),
      charts: runViewCharts(snap.records, options),
      findings: doctor.findings,
      ...(doctor.error ? { findingsError: doctor.error } : {}),
      ...(snap.config ? { config: snap.config } : {}),
      ...(result ? { result } : {}),
    };
  }

  /** The doctor's findings, as `anneal doctor <run> --no-report` gives them (cached per version of the files). */
  private async doctor(f: FoundFolder): Promise<{ findings: Finding[]; error?: string }> {
    const cached = this.doctorCache.get(f.rel);
    if (cached && cached.signature === f.signature) return cached;
    let entry: { signature: string; findings: Finding[]; error?: string };
    try {
      this.pipeline ??= createPipeline();
      entry = { signature: f.signature, findings: (await (await this.pipeline).doctor(f.abs, { report: false })).findings };
    } catch (e) {
      entry = { signature: f.signature, findings: [], error: (e as Error).message };
    }
    this.doctorCache.set(f.rel, entry);
    return entry;
  }

  /** Several runs overlaid. */
  compare(paths: readonly string[], options: { logLoss?: boolean } = {}): { runs: RunListing[]; charts: DashboardChart[] } {
    if (paths.length === 0) throw new DataRequestError(400, 'give the runs to compare as ?path=<run>&path=<run>...');
    const snaps = paths.map((p) => {
      const f = this.folder(p, 'run');
      return { f, snap: this.snapshot(f) };
    });
    return { runs: snaps.map(({ f, snap }) => summarizeRun(snap, f.updatedAt)), charts: compareCharts(snaps.map((s) => s.snap), options) };
  }

  /** The study page's data. */
  async study(path: string | undefined): Promise<StudyView> {
    const f = this.folder(path, 'study');
    const s = await this.studies.read(f.rel, f.abs);
    const runRels = new Set(this.feed.folders().filter((x) => x.run).map((x) => x.rel));
    const trialRun = (t: FrozenTrial) => {
      const dir = t.userAttrs.dir;
      const candidates = [typeof dir === 'string' ? `${f.rel ? `${f.rel}/` : ''}trials/${basename(dir)}` : undefined, `${f.rel ? `${f.rel}/` : ''}trials/${t.number}`];
      return candidates.find((c): c is string => c !== undefined && runRels.has(c));
    };
    const row = (t: FrozenTrial): TrialRow => {
      const run = trialRun(t);
      return { number: t.number, state: t.state, ...(t.value !== undefined ? { value: t.value } : {}), ...(t.values ? { values: t.values } : {}), params: t.params, reports: Object.keys(t.intermediate).length, ...(run ? { run } : {}), ...(t.error ? { error: t.error } : {}) };
    };
    return {
      study: this.studyListing(f, s),
      studies: s.studies.map((x) => {
        const directions = multiDirections(x);
        if (directions) {
          const { objectives, complete, front, ...hv } = studyFront(x, directions, s.summary);
          const pareto: ParetoView = { objectives, complete: complete.length, front: front.map(row), ...hv };
          return { name: x.name, direction: directions.join(', '), trials: x.trials.map(row), pareto, charts: paretoCharts(complete, directions, objectives.map((o) => o.name)) };
        }
        const best = bestOf(x.trials, x.direction);
        return { name: x.name, direction: x.direction, trials: x.trials.map(row), ...(best ? { best: row(best) } : {}), charts: studyCharts(x.trials, x.direction) };
      }),
      ...(s.error ? { error: s.error } : {}),
    };
  }

  async close(): Promise<void> {
    this.feed.close();
    await this.studies.close();
  }
}
