import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/** Folders inside a run that never hold runs or studies. */
const SKIP = new Set(['checkpoints', 'charts', 'doctor', 'node_modules', 'features']);
/** How deep below the served folder runs are looked for (runs/<study>/trials/<n> is depth 3). */
const MAX_DEPTH = 6;
/** Most folders visited per scan, so a huge tree cannot stall the server. */
const MAX_FOLDERS = 5000;

/** What a scan found in one folder: a run (metrics.jsonl or config.json) and/or a study (study.jsonl). */
export interface FoundFolder {
  /** Path relative to the served folder, `/`-separated; '' for the folder itself. */
  rel: string;
  abs: string;
  run: boolean;
  study: boolean;
  /** Changes whenever a file the dashboard reads changes (size, mtime, inode of each). */
  signature: string;
  /** Newest mtime of those files (epoch ms). */
  updatedAt: number;
}

const stamp = (s: Stats | undefined) => (s ? `${s.ino}:${s.size}:${s.mtimeMs}` : '-');

function statOrUndefined(path: string): Stats | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Walks the served folder for run folders (holding metrics.jsonl or config.json) and study
 * folders (holding a journal, study.jsonl), breadth first, up to 6 levels deep. Symbolic links
 * are not followed and hidden folders are skipped, so the scan never leaves the folder. Only
 * directory entries and file metadata are read, never file contents: cheap enough to run on
 * every poll.
 *
 * @example scanFolder('/home/me/runs').filter((f) => f.run).map((f) => f.rel) // ['mnist-cnn', 'tune/trials/0', ...]
 */
export function scanFolder(root: string): FoundFolder[] {
  const found: FoundFolder[] = [];
  const queue: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }];
  let visited = 0;
  while (queue.length && visited < MAX_FOLDERS) {
    const { rel, depth } = queue.shift()!;
    visited++;
    const abs = rel ? join(root, rel) : root;
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      continue;
    }
    const names = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    const run = names.has('metrics.jsonl') || names.has('config.json');
    const study = names.has('study.jsonl');
    if (run || study) {
      const files = ['metrics.jsonl', 'config.json', 'summary.json', 'study.jsonl'].map((f) => (names.has(f) ? statOrUndefined(join(abs, f)) : undefined));
      found.push({ rel, abs, run, study, signature: files.map(stamp).join('|'), updatedAt: Math.max(0, ...files.map((s) => s?.mtimeMs ?? 0)) });
    }
    if (depth >= MAX_DEPTH) continue;
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || SKIP.has(e.name)) continue;
      queue.push({ rel: rel ? `${rel}/${e.name}` : e.name, depth: depth + 1 });
    }
  }
  return found.sort((a, b) => a.rel.localeCompare(b.rel));
}
