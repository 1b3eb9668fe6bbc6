import type { z } from 'zod';

/** A short name for the kind of a value: `string`, `array`, `null`, `missing`... */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}

function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return kindOf(value);
}

/** `a.b[2].c` from a zod issue path, appended to `prefix`. */
export function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** One zod issue as a short sentence: `expected number, got string`, `must be > 0, got -1`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `is required (expected ${issue.expected})`;
      if (issue.expected === 'int') return `expected an integer, got ${shown(input)}`;
      return `expected ${issue.expected}, got ${kindOf(input)}`;
    case 'too_small': {
      const op = issue.inclusive === false ? '>' : '>=';
      if (issue.origin === 'array') return `needs at least ${issue.minimum} entries, got ${Array.isArray(input) ? input.length : kindOf(input)}`;
      if (issue.origin === 'string') return `must not be empty`;
      return `must be ${op} ${issue.minimum}, got ${shown(input)}`;
    }
    case 'too_big': {
      const op = issue.inclusive === false ? '<' : '<=';
      if (issue.origin === 'array') return `allows at most ${issue.maximum} entries, got ${Array.isArray(input) ? input.length : kindOf(input)}`;
      return `must be ${op} ${issue.maximum}, got ${shown(input)}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, got ${shown(input)}`;
    case 'unrecognized_keys':
      return `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    default:
      return issue.message;
  }
}

/** The option names of an object schema (for "known options: ..." hints), or [] for other schemas. */
export function knownOptions(schema: unknown): string[] {
  const shape = (schema as { shape?: unknown } | null)?.shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}

/**
 * Where an issue is (`prefix` + its path; an unknown key points at the key itself) and what is
 * wrong with it, with the known option names for unknown keys.
 */
export function locateIssue(prefix: string, issue: z.core.$ZodIssue, schema: unknown): { path: string; message: string } {
  if (issue.code === 'unrecognized_keys') {
    const known = issue.path.length === 0 ? knownOptions(schema) : [];
    const hint = known.length > 0 ? `; known options: ${known.join(', ')}` : '';
    return { path: joinPath(prefix, [...issue.path, issue.keys[0] ?? '']), message: `${describeIssue(issue)}${hint}` };
  }
  return { path: joinPath(prefix, issue.path), message: describeIssue(issue) };
}
