import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Where a requested path led: a real path inside the root, or why it is refused. */
export type ResolvedPath = { ok: true; path: string; rel: string } | { ok: false; status: 403 | 404; reason: string };

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

/**
 * Resolves `rel`, a path a request names relative to the served folder, without ever opening
 * it: refused (403) when it is absolute, holds a `..` segment, a backslash or a NUL byte, or when
 * its real path (symbolic links followed) leaves `root`; 404 when nothing is there. `root` must
 * be a real path (see realRoot). Paths arrive decoded once (query parameters), so `%2e%2e` is
 * `..` here and refused; a doubly encoded `%252e%252e` is the literal name `%2e%2e`.
 *
 * @example resolveInside('/home/me/runs', '../.ssh/id_rsa') // { ok: false, status: 403, ... }
 */
export function resolveInside(root: string, rel: string): ResolvedPath {
  if (rel.includes('\0') || rel.includes('\\')) return { ok: false, status: 403, reason: 'a NUL byte or backslash in the path' };
  if (isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return { ok: false, status: 403, reason: 'an absolute path' };
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { ok: false, status: 403, reason: 'a .. segment' };
  const lexical = join(root, ...parts);
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    return { ok: false, status: 404, reason: 'no such file or folder' };
  }
  if (!inside(root, real)) return { ok: false, status: 403, reason: 'a symbolic link that leaves the served folder' };
  return { ok: true, path: real, rel: parts.join('/') };
}

/** The real path of the served folder (symbolic links in it resolved once, at start). */
export function realRoot(dir: string): string {
  return realpathSync(dir);
}
