import { ConfigError } from '../errors.js';

type Json = Record<string, unknown> | unknown[];

function tokens(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new ConfigError(`'${path}' is not a config path (use names and [index], e.g. schedules[0].schedule.base)`);
    out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/**
 * A deep copy of `config` with `value` at `path` (`optimizer.lr`, `schedules[0].schedule.base`);
 * objects on the way are created, array indices must exist.
 *
 * @example setPath({ optimizer: { lr: 1 } }, 'optimizer.lr', 0.01) // { optimizer: { lr: 0.01 } }
 */
export function setPath<T extends Record<string, unknown>>(config: T, path: string, value: unknown): T {
  const copy = structuredClone(config);
  const keys = tokens(path);
  let node: Json = copy;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    if (typeof key === 'number') {
      if (!Array.isArray(node) || key >= node.length) throw new ConfigError(`space path '${path}': index ${key} does not exist in the base config`);
      if (last) node[key] = value;
      else node = node[key] as Json;
      return;
    }
    if (Array.isArray(node) || node === null || typeof node !== 'object') throw new ConfigError(`space path '${path}': '${String(keys[i - 1])}' is not an object in the base config`);
    const obj = node as Record<string, unknown>;
    if (last) obj[key] = value;
    else {
      if (obj[key] === undefined || obj[key] === null) obj[key] = typeof keys[i + 1] === 'number' ? [] : {};
      node = obj[key] as Json;
    }
  });
  return copy;
}

/** The value at `path`, or undefined. */
export function getPath(config: unknown, path: string): unknown {
  let node: unknown = config;
  for (const key of tokens(path)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
