/**
 * What a multi-objective study says about its objectives besides their directions, kept as study
 * user attributes so every reader of the storage (reports, `anneal dashboard`) finds them: the
 * objectives' names and the reference point its hypervolume is measured against.
 */
import { SearchError } from '../errors.js';
import type { Storage, StudyRecord } from '../types.js';

/** Study user attribute: one name per objective, in the order of the directions (`anneal tune` stores its metrics). */
export const OBJECTIVE_NAMES_ATTR = 'objectiveNames';
/** Study user attribute: the hypervolume reference point, one value per objective in the objectives' own units. */
export const REFERENCE_POINT_ATTR = 'referencePoint';

type StudyObjectives = Pick<StudyRecord, 'direction' | 'directions' | 'userAttrs'>;

const count = (study: StudyObjectives) => (study.directions ?? [study.direction]).length;

/** The stored names of a study's objectives; undefined when none are stored (or not one string per direction). */
export function storedObjectiveNames(study: StudyObjectives): string[] | undefined {
  const names = study.userAttrs[OBJECTIVE_NAMES_ATTR];
  return Array.isArray(names) && names.length === count(study) && names.every((n) => typeof n === 'string') ? [...(names as string[])] : undefined;
}

/** The stored hypervolume reference point of a study; undefined when none is stored (or not one finite number per direction). */
export function storedReferencePoint(study: StudyObjectives): number[] | undefined {
  const point = study.userAttrs[REFERENCE_POINT_ATTR];
  return Array.isArray(point) && point.length === count(study) && point.every((v) => typeof v === 'number' && Number.isFinite(v)) ? [...(point as number[])] : undefined;
}

/**
 * Stores the objectives' names and/or the hypervolume reference point of study `name` (one per
 * direction; the reference point in the objectives' own units: for a maximized objective, a value
 * below every trial's). A value already stored as given is not written again, so workers that all
 * describe the study on start do not grow a journal.
 *
 * @example
 * ```ts
 * await describeObjectives(storage, 'accuracy-vs-size', { names: ['val.accuracy', 'params'], reference: [0.5, 1e6] });
 * ```
 */
export async function describeObjectives(storage: Storage, name: string, what: { names?: readonly string[]; reference?: readonly number[] }): Promise<void> {
  const study = await storage.getStudy(name);
  if (!study) throw new SearchError('OBJECTIVES', `study '${name}' does not exist in this storage; create it first`);
  const n = count(study);
  if (what.names && what.names.length !== n) throw new SearchError('OBJECTIVES', `study '${name}' has ${n} objective(s) but ${what.names.length} name(s) were given (${what.names.join(', ')})`);
  if (what.reference && (what.reference.length !== n || !what.reference.every(Number.isFinite))) throw new SearchError('OBJECTIVES', `study '${name}': the reference point needs ${n} finite value(s), one per objective, got [${what.reference.join(', ')}]`);
  const same = (stored: readonly unknown[] | undefined, given: readonly unknown[]) => stored?.length === given.length && stored.every((v, i) => v === given[i]);
  if (what.names && !same(storedObjectiveNames(study), what.names)) await storage.setStudyAttr(name, OBJECTIVE_NAMES_ATTR, [...what.names], 'user');
  if (what.reference && !same(storedReferencePoint(study), what.reference)) await storage.setStudyAttr(name, REFERENCE_POINT_ATTR, [...what.reference], 'user');
}
