import type { Mutant } from './mutant.js';
import type { FuzzRandom } from './random.js';

// Mutations of text files (CSV, YAML, JSON, JSONL): cuts at line ends and inside lines, character
// edits, line edits and token replacements, all seeded.

/** The text cut at the end of every line and in the middle of every line (at most `max` cuts, evenly chosen). */
export function textTruncations(text: string, max = 60): Mutant<string>[] {
  const cuts = new Set<number>([0]);
  let at = 0;
  for (const line of text.split('\n')) {
    cuts.add(at + Math.floor(line.length / 2));
    at += line.length + 1;
    if (at < text.length) cuts.add(at - 1);
  }
  const all = [...cuts].filter((c) => c < text.length).sort((a, b) => a - b);
  const step = Math.max(1, all.length / max);
  const picked = all.filter((_, i) => Math.floor(i % step) === 0).slice(0, max);
  return picked.map((c) => ({ name: `cut to ${c} of ${text.length} characters`, input: text.slice(0, c) }));
}

const INTERESTING_CHARS = ['"', "'", ',', ':', '{', '}', '[', ']', '\n', '\t', '\0', '-', '9', '#', '&', '*', '!', '|', '>', '%', '\\', '\u00e9', '\ufeff', '\ud800', ' '];

/** `count` copies with one character replaced, inserted or deleted at a seeded position. */
export function charEdits(text: string, count: number, rng: FuzzRandom): Mutant<string>[] {
  return Array.from({ length: count }, () => {
    const at = rng.int(Math.max(1, text.length));
    const c = rng.pick(INTERESTING_CHARS);
    const kind = rng.pick(['replaced', 'inserted', 'deleted'] as const);
    const input = kind === 'replaced' ? text.slice(0, at) + c + text.slice(at + 1) : kind === 'inserted' ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    return { name: `character ${at} ${kind}${kind === 'deleted' ? '' : ` (${JSON.stringify(c)})`}`, input };
  });
}

/** `count` copies with a seeded line deleted, duplicated, swapped with the next or cut in half. */
export function lineEdits(text: string, count: number, rng: FuzzRandom): Mutant<string>[] {
  const lines = text.split('\n');
  return Array.from({ length: count }, () => {
    const i = rng.int(lines.length);
    const kind = rng.pick(['deleted', 'duplicated', 'swapped', 'halved'] as const);
    const out = [...lines];
    if (kind === 'deleted') out.splice(i, 1);
    else if (kind === 'duplicated') out.splice(i, 0, lines[i]!);
    else if (kind === 'swapped' && i + 1 < lines.length) [out[i], out[i + 1]] = [lines[i + 1]!, lines[i]!];
    else out[i] = lines[i]!.slice(0, Math.floor(lines[i]!.length / 2));
    return { name: `line ${i + 1} ${kind}`, input: out.join('\n') };
  });
}

/**
 * Copies with each match of `pattern` (global) replaced, one match at a time, by each of
 * `replacements` (at most `max` cases, seeded when there are more).
 * @example tokenReplacements(csv, /-?\d+(\.\d+)?/g, ['-1', '1e9', 'NaN'], rng, 40);
 */
export function tokenReplacements(text: string, pattern: RegExp, replacements: readonly string[], rng: FuzzRandom, max = 40, expect?: 'error' | 'ok'): Mutant<string>[] {
  const matches = [...text.matchAll(pattern)];
  const all: Mutant<string>[] = [];
  for (const m of matches) {
    for (const r of replacements) {
      all.push({ name: `'${m[0]}' at ${m.index} replaced by ${JSON.stringify(r)}`, input: text.slice(0, m.index) + r + text.slice(m.index! + m[0].length), expect });
    }
  }
  if (all.length <= max) return all;
  const picked = new Set<number>();
  while (picked.size < max) picked.add(rng.int(all.length));
  return [...picked].sort((a, b) => a - b).map((i) => all[i]!);
}
