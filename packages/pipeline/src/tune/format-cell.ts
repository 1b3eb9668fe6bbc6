/**
 * A value as the study reports (tune, multi-objective tune, PBT) write it in a table cell or a
 * sentence: a number to 5 significant digits (NaN and Infinity as such), '' for a missing value,
 * anything else (strings, booleans, null, arrays of a categorical choice) as JSON.
 *
 * @example
 * formatCell(0.000123456789); // '0.00012346'
 * formatCell([32, 16]); // '[32,16]'
 */
export function formatCell(v: unknown): string {
  if (typeof v === 'number') return String(Number(v.toPrecision(5)));
  return v === undefined ? '' : JSON.stringify(v);
}
