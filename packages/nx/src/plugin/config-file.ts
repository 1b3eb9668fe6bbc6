import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseDocument } from 'yaml';

/** The glob of the config files the plugin infers targets from. */
export const CONFIG_GLOB = '**/*.{fit,tune}.{yaml,yml,json}';

/** `fit` for `*.fit.yaml|yml|json`, `tune` for `*.tune.yaml|yml|json`. */
export type ConfigKind = 'fit' | 'tune';

const CONFIG_NAME = /^(.+)\.(fit|tune)\.(ya?ml|json)$/;

/**
 * The kind and stem of a config file name, or undefined for other files.
 *
 * @example configName('trainings/mnist/mnist.fit.yaml'); // { kind: 'fit', stem: 'mnist' }
 */
export function configName(file: string): { kind: ConfigKind; stem: string } | undefined {
  const m = CONFIG_NAME.exec(basename(file));
  return m ? { kind: m[2] as ConfigKind, stem: m[1]! } : undefined;
}

/** A config file's content (a JSON or YAML object), or why it could not be read. */
export type ReadConfig = { ok: true; content: Record<string, unknown> } | { ok: false; problem: string };

/**
 * Reads a JSON or YAML config (by extension, as `anneal` does) without validating it: the
 * plugin only looks for the files and packages it names. A file that cannot be read or parsed
 * gives the problem instead of throwing, so one broken config never breaks the project graph.
 *
 * @example
 * const r = readConfig('/ws/trainings/mnist/mnist.fit.yaml');
 * if (r.ok) console.log(r.content.data);
 */
export function readConfig(path: string): ReadConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, problem: `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  let content: unknown;
  if (extname(path).toLowerCase() === '.json') {
    try {
      content = JSON.parse(text);
    } catch (e) {
      return { ok: false, problem: `${path} is not valid JSON (${(e as Error).message})` };
    }
  } else {
    const doc = parseDocument(text);
    if (doc.errors.length) return { ok: false, problem: `${path} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]})` };
    content = doc.toJS();
  }
  if (!content || typeof content !== 'object' || Array.isArray(content)) return { ok: false, problem: `${path} does not hold a config object` };
  return { ok: true, content: content as Record<string, unknown> };
}
