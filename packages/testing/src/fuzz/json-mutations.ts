import type { Mutant } from './mutant.js';
import type { FuzzRandom } from './random.js';

// Mutations of JSON values (configs, metadata, run-folder files): every field replaced by values
// of the wrong type or out of range, removed, or its key duplicated in the text.

/** Values a field is replaced by: wrong types, negative, huge, fractional, empty, nested. */
export const WEIRD_JSON_VALUES: readonly unknown[] = [null, true, -1, 0, 1.5, 1e9, 2 ** 40, 2 ** 53 + 2, -1e308, 1e308, '', 'x', '-1', [], [null], {}, { a: [] }];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

function paths(value: Json, at: Path = [], out: Path[] = []): Path[] {
  if (at.length) out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function setAt(value: Json, path: Path, replace: (old: Json) => Json | undefined): Json | undefined {
  if (path.length === 0) return replace(value);
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = setAt(copy[head as number]!, rest, replace);
    if (next === undefined) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  const obj = { ...(value as Record<string, Json>) };
  const next = setAt(obj[head as string]!, rest, replace);
  if (next === undefined) delete obj[head as string];
  else obj[head as string] = next;
  return obj;
}

const show = (p: Path) => p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').replace(/^\./, '');

/**
 * Copies of a JSON value with one field (any depth) replaced by one of {@link WEIRD_JSON_VALUES}
 * or removed; at most `max` cases, seeded when there are more.
 * @example jsonFieldMutations({ lr: 0.1, epochs: 3 }, rng, 50);
 */
export function jsonFieldMutations(value: unknown, rng: FuzzRandom, max = 80): Mutant<unknown>[] {
  const all: Mutant<unknown>[] = [];
  for (const p of paths(value as Json)) {
    all.push({ name: `${show(p)} removed`, input: setAt(value as Json, p, () => undefined) });
    for (const w of WEIRD_JSON_VALUES) all.push({ name: `${show(p)} = ${JSON.stringify(w)}`, input: setAt(value as Json, p, () => structuredClone(w) as Json) });
  }
  if (all.length <= max) return all;
  const picked = new Set<number>();
  while (picked.size < max) picked.add(rng.int(all.length));
  return [...picked].sort((a, b) => a - b).map((i) => all[i]!);
}

/**
 * JSON texts of an object with one of its keys written twice (the second time with another
 * value). JSON.parse keeps the last silently, so by default a reader must refuse them
 * (`expect: 'error'`); with `mustRefuse: false` either outcome is judged by the target.
 * @example duplicateKeyTexts({ lr: 0.1, epochs: 3 }); // '{"lr":0.1,"epochs":3,"lr":1}'...
 */
export function duplicateKeyTexts(value: Record<string, unknown>, options: { mustRefuse?: boolean } = {}): Mutant<string>[] {
  const expect = options.mustRefuse === false ? undefined : ('error' as const);
  const text = JSON.stringify(value, null, 2);
  return Object.keys(value).map((k) => {
    const close = text.lastIndexOf('}');
    const again = `,\n  ${JSON.stringify(k)}: ${JSON.stringify(typeof value[k] === 'number' ? (value[k] as number) + 1 : 1)}\n`;
    return { name: `key '${k}' written twice`, input: text.slice(0, close).trimEnd() + again + text.slice(close), expect };
  });
}
