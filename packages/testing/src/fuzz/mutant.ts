/**
 * One generated fuzz case: a name that says how it was made (shown when it fails), the input,
 * and, when known, what it must give: `error` (a typed error; success is a silent wrong result)
 * or `ok` (a correct result; any error is a failure). Undefined: either, as long as it is typed
 * or verified.
 */
export interface Mutant<T> {
  name: string;
  input: T;
  expect?: 'error' | 'ok';
}

/** Keeps the first mutant of each distinct input key (so a spec does not count the same case twice). */
export function uniqueMutants<T>(mutants: readonly Mutant<T>[], key: (input: T) => string): Mutant<T>[] {
  const seen = new Set<string>();
  return mutants.filter((m) => {
    const k = key(m.input);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
