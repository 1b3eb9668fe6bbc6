import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJsonFile, readMetrics, type MetricsRecord } from '@anneal/pipeline';

/** What the dashboard read of one run folder at one moment. */
export interface RunSnapshot {
  /** Path relative to the served folder. */
  rel: string;
  abs: string;
  /** The scan's signature of the files read (changes when any of them does). */
  signature: string;
  /** The run's name: config.json's `name`, else the folder name. */
  name: string;
  records: MetricsRecord[];
  config?: Record<string, unknown>;
  summary?: Record<string, unknown>;
  /** Why metrics.jsonl or a JSON file could not be read (the rest is still shown). */
  error?: string;
}

function readJson(path: string, errors: string[]): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readJsonFile(path) as Record<string, unknown>;
  } catch (e) {
    errors.push((e as Error).message);
    return undefined;
  }
}

/**
 * Reads run folders through @anneal/pipeline's readers (readMetrics for metrics.jsonl,
 * readJsonFile for config.json and summary.json), keeping the last snapshot of each folder
 * until its signature changes. metrics.jsonl is rewritten whole and renamed into place at every
 * epoch end, so each read sees one complete version of it, old or new.
 */
export class RunReader {
  private readonly cache = new Map<string, RunSnapshot>();

  read(rel: string, abs: string, signature: string): RunSnapshot {
    const cached = this.cache.get(rel);
    if (cached && cached.signature === signature && cached.abs === abs) return cached;
    const errors: string[] = [];
    let records: MetricsRecord[] = [];
    const metrics = join(abs, 'metrics.jsonl');
    if (existsSync(metrics)) {
      try {
        records = readMetrics(metrics);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    const config = readJson(join(abs, 'config.json'), errors);
    const summary = readJson(join(abs, 'summary.json'), errors);
    const name = typeof config?.name === 'string' ? config.name : basename(abs);
    const snapshot: RunSnapshot = { rel, abs, signature, name, records, config, summary, ...(errors.length ? { error: errors.join('; ') } : {}) };
    this.cache.set(rel, snapshot);
    return snapshot;
  }

  /** Forgets folders that are gone. */
  keepOnly(rels: ReadonlySet<string>): void {
    for (const rel of this.cache.keys()) if (!rels.has(rel)) this.cache.delete(rel);
  }
}
