import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { fitConfigSchema, type FitConfig } from './fit-config.js';
import { firstDuplicateKey } from './json-duplicate-keys.js';
import { jsonErrorLine } from './json-error-position.js';

/** Formats zod issues as `path: message` lines, paths like `data.split.test` or `schedules[0].schedule`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const path = i.path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : p ? `${p}.${String(k)}` : String(k)), '');
      return `  ${path || '(root)'}: ${i.message}`;
    })
    .join('\n');
}

/** Most YAML aliases a config may expand (anchors reused with *name); more is an alias bomb. */
export const MAX_CONFIG_ALIASES = 100;

/** A ConfigError message for a key a JSON text repeats in one object (JSON.parse would keep the last silently), or undefined. */
function duplicateJsonKey(text: string): string | undefined {
  const dup = firstDuplicateKey(text);
  return dup && `key '${dup.key}' appears twice in one object (line ${dup.line}); remove one of them`;
}

/**
 * Parses JSON or YAML text (by extension; YAML for anything not .json), with line numbers in
 * syntax errors. Duplicate keys are errors in both (one of the two values would be dropped
 * silently), and YAML aliases expand to at most {@link MAX_CONFIG_ALIASES} nodes.
 * @throws ConfigError naming `file`
 */
export function parseConfigText(text: string, file: string): unknown {
  if (extname(file).toLowerCase() === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${file}: not valid JSON${jsonErrorLine(text)}: ${(e as Error).message}`);
    }
    const duplicate = duplicateJsonKey(text);
    if (duplicate) throw new ConfigError(`${file}: not valid JSON: ${duplicate}`);
    return value;
  }
  try {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length) throw new ConfigError(`${file}: not valid YAML:\n${doc.errors.map((e) => `  ${e.message}`).join('\n')}`);
    return doc.toJS({ maxAliasCount: MAX_CONFIG_ALIASES });
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    // yaml throws a ReferenceError for an alias bomb ("Excessive alias count") and may overflow the stack on absurd nesting
    const bomb = /alias/i.test((e as Error).message);
    throw new ConfigError(`${file}: ${bomb ? `its YAML aliases expand to more than ${MAX_CONFIG_ALIASES} nodes (an alias bomb?); write the values out or use fewer *aliases` : `not valid YAML (${(e as Error).message})`}`, { cause: e });
  }
}

/** Validates a parsed config; errors list every problem with its config path. */
export function validateFitConfig(raw: unknown, file: string): FitConfig {
  const parsed = fitConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${file}: invalid config:\n${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

/**
 * Reads a JSON or YAML config file and validates it with a zod schema; errors name the file and
 * list every problem with its path.
 *
 * @example const config = loadConfigFile('examples/transfer/paddle-probe.yaml', finetuneConfigSchema);
 */
export function loadConfigFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read the config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path`);
  }
  const parsed = schema.safeParse(parseConfigText(text, file));
  if (!parsed.success) throw new ConfigError(`${file}: invalid config:\n${formatIssues(parsed.error.issues)}`);
  return parsed.data as z.infer<S>;
}

/**
 * Reads and validates an `anneal fit` config file (JSON or YAML).
 *
 * @example
 * const config = loadFitConfig('examples/mnist-cnn.yaml');
 */
export function loadFitConfig(file: string): FitConfig {
  return loadConfigFile(file, fitConfigSchema);
}

/**
 * The fit config a tune or recipe config builds on: its inline `base`, or the file `base` names
 * (relative to the config file), parsed but not yet validated.
 */
export function loadBaseConfig(base: string | Record<string, unknown>, configPath: string): Record<string, unknown> {
  if (typeof base !== 'string') return base;
  const file = resolve(dirname(configPath), base);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${configPath}: base: cannot read the fit config ${file}`);
  }
  return parseConfigText(text, file) as Record<string, unknown>;
}

/** Reads a JSON file (a run folder's config.json, runtime.json, summary.json); errors name the file and say what is wrong. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON${jsonErrorLine(text)}: ${(e as Error).message}; the file is damaged (was it edited, or cut short by a full disk?)`);
  }
  const duplicate = duplicateJsonKey(text);
  if (duplicate) throw new ConfigError(`${file}: ${duplicate}; the file is damaged (was it edited?)`);
  return value;
}
