import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile } from '@anneal/pipeline';
import { JournalStorage, type Direction, type FrozenTrial, type StudyRecord } from '@anneal/search';

/** One study of a journal, with all its trials. */
export interface StudyTrials {
  name: string;
  direction: Direction;
  /** One direction per objective of a multi-objective study (absent: one objective, `direction`). */
  directions?: readonly Direction[];
  userAttrs: StudyRecord['userAttrs'];
  trials: FrozenTrial[];
}

/** What the dashboard read of a study folder (written by `anneal tune`). */
export interface StudySnapshot {
  rel: string;
  abs: string;
  /** Every study in the folder's journal (`anneal tune` keeps one per folder). */
  studies: StudyTrials[];
  /** summary.json of the finished tune run, when written. */
  summary?: Record<string, unknown>;
  error?: string;
}

interface OpenJournal {
  storage: JournalStorage;
  ino: number;
  size: number;
}

/**
 * Reads study folders through @anneal/search's JournalStorage (the storage `anneal tune` writes
 * study.jsonl with), so the trials are exactly what samplers and reports see. One storage stays
 * open per folder and replays only what was appended since the last read; it is reopened when the
 * journal is replaced (another inode) or shrinks (`anneal tune --force`). Only read methods are
 * called: the storage opens the file for appending but never writes here.
 */
export class StudyReader {
  private readonly open = new Map<string, OpenJournal>();

  async read(rel: string, abs: string): Promise<StudySnapshot> {
    const path = join(abs, 'study.jsonl');
    let summary: Record<string, unknown> | undefined;
    const errors: string[] = [];
    if (existsSync(join(abs, 'summary.json'))) {
      try {
        summary = readJsonFile(join(abs, 'summary.json')) as Record<string, unknown>;
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    const studies: StudyTrials[] = [];
    try {
      const storage = this.storage(rel, path);
      if (storage) {
        for (const s of await storage.listStudies()) studies.push({ name: s.name, direction: s.direction, ...(s.directions ? { directions: s.directions } : {}), userAttrs: s.userAttrs, trials: await storage.getTrials(s.name) });
      }
    } catch (e) {
      errors.push((e as Error).message);
      await this.forget(rel);
    }
    return { rel, abs, studies, ...(summary ? { summary } : {}), ...(errors.length ? { error: errors.join('; ') } : {}) };
  }

  private storage(rel: string, path: string): JournalStorage | undefined {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      void this.forget(rel);
      return undefined;
    }
    const current = this.open.get(rel);
    if (current && current.ino === stat.ino && stat.size >= current.size) {
      current.size = stat.size;
      return current.storage;
    }
    if (current) void current.storage.close();
    // the file exists (just checked), so opening it for appending creates nothing
    const storage = new JournalStorage(path);
    this.open.set(rel, { storage, ino: stat.ino, size: stat.size });
    return storage;
  }

  private async forget(rel: string): Promise<void> {
    const current = this.open.get(rel);
    this.open.delete(rel);
    if (current) await current.storage.close();
  }

  /** Closes the journals of folders that are gone. */
  async keepOnly(rels: ReadonlySet<string>): Promise<void> {
    for (const rel of [...this.open.keys()]) if (!rels.has(rel)) await this.forget(rel);
  }

  async close(): Promise<void> {
    for (const rel of [...this.open.keys()]) await this.forget(rel);
  }
}
