import { objectiveValues, paretoFront, storedObjectiveNames, storedReferencePoint, trialsHypervolume, type Direction, type FrozenTrial } from '@anneal/search';
import type { StudyTrials } from './study-reader.js';

/** An objective of a multi-objective study. */
export interface ObjectiveView {
  name: string;
  direction: Direction;
}

/** The hypervolume of a study's complete trials (that of its Pareto front). */
export interface HypervolumeView {
  value: number;
  /** The reference point, in the objectives' own units. */
  reference: number[];
  /** `study`: the point stored with the study (describeObjectives of @anneal/search); `default`: defaultReferencePoint of @anneal/search. */
  source: 'study' | 'default';
}

/** What the dashboard shows of a multi-objective study besides its trials. */
export interface StudyFront {
  objectives: ObjectiveView[];
  /** Complete trials with one finite value per objective (the points of the chart). */
  complete: FrozenTrial[];
  /** The Pareto front (paretoFront of @anneal/search), best first by the first objective. */
  front: FrozenTrial[];
  hypervolume?: HypervolumeView;
  /** Why the hypervolume could not be computed, when it could not. */
  hypervolumeError?: string;
}

/** The directions of a study with two or more objectives; undefined for a single-objective study. */
export function multiDirections(study: Pick<StudyTrials, 'directions'>): readonly Direction[] | undefined {
  return study.directions && study.directions.length > 1 ? study.directions : undefined;
}

/** The objectives' names: stored with the study, else those of a finished `anneal tune` (summary.json), else 'objective 1', ... */
function objectiveNames(study: StudyTrials, directions: readonly Direction[], summary: Record<string, unknown> | undefined): string[] {
  const stored = storedObjectiveNames(study);
  if (stored) return stored;
  const tuned = summary?.objectives;
  if (Array.isArray(tuned) && tuned.length === directions.length && tuned.every((o) => typeof (o as { metric?: unknown })?.metric === 'string')) return tuned.map((o) => (o as { metric: string }).metric);
  return directions.map((_, i) => `objective ${i + 1}`);
}

/**
 * The Pareto front of a multi-objective study as the dashboard shows it: the objectives (names
 * and directions), the complete trials, the front (@anneal/search's paretoFront) and its
 * hypervolume (studyHypervolume) against the study's stored reference point, or the
 * {@link defaultReferencePoint} when it stores none. `summary` is the folder's summary.json.
 */
export function studyFront(study: StudyTrials, directions: readonly Direction[], summary?: Record<string, unknown>): StudyFront {
  const names = objectiveNames(study, directions, summary);
  const complete = study.trials.filter((t) => t.state === 'complete' && objectiveValues(t)?.length === directions.length && objectiveValues(t)!.every(Number.isFinite));
  const sign = directions[0] === 'minimize' ? 1 : -1;
  const front = paretoFront(complete, directions).sort((a, b) => sign * (objectiveValues(a)![0]! - objectiveValues(b)![0]!) || a.number - b.number);
  const view: StudyFront = { objectives: directions.map((direction, i) => ({ name: names[i]!, direction })), complete, front };
  if (!complete.length) return view;
  try {
    const hv = trialsHypervolume(complete, directions, storedReferencePoint(study))!;
    return { ...view, hypervolume: { value: hv.value, reference: hv.reference, source: hv.defaulted ? 'default' : 'study' } };
  } catch (e) {
    return { ...view, hypervolumeError: (e as Error).message };
  }
}
