import { scanFolder, type FoundFolder } from './scan-folder.js';

/** What changed between two polls of the served folder. */
export interface FolderChange {
  /** Folders (relative paths) whose files changed, appeared or disappeared. */
  paths: string[];
  /** Whether the set of runs and studies changed (a folder appeared or disappeared). */
  listChanged: boolean;
}

/**
 * Polls the served folder (scanFolder: directory entries and file metadata only) every
 * `pollMs` while someone listens, and tells listeners which run and study folders changed.
 * Polling rather than fs.watch: metrics.jsonl is replaced by a rename at every epoch end and a
 * study journal is appended to by other processes, possibly on other machines' network
 * filesystems; comparing inode, size and mtime catches all of these the same way everywhere,
 * and a recursive fs.watch is not dependable on Linux with Node 20.
 */
export class ChangeFeed {
  private last = new Map<string, string>();
  private scanned: { at: number; folders: FoundFolder[] } | undefined;
  private readonly listeners = new Set<(change: FolderChange) => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: string,
    private readonly pollMs: number,
  ) {}

  /** The folders now (rescanned when the last scan is older than half a poll). */
  folders(): FoundFolder[] {
    const now = Date.now();
    if (!this.scanned || now - this.scanned.at > this.pollMs / 2) this.scanned = { at: now, folders: scanFolder(this.root) };
    return this.scanned.folders;
  }

  /** Calls `listener` after every poll that saw a change; returns the unsubscribe function. */
  subscribe(listener: (change: FolderChange) => void): () => void {
    if (this.listeners.size === 0) this.start();
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Polls once now (the timer calls this); returns the change seen, if any. */
  poll(): FolderChange | undefined {
    this.scanned = undefined;
    const next = new Map(this.folders().map((f) => [f.rel, f.signature]));
    const paths = [...next].filter(([rel, sig]) => this.last.get(rel) !== sig).map(([rel]) => rel);
    const removed = [...this.last.keys()].filter((rel) => !next.has(rel));
    const listChanged = removed.length > 0 || [...next.keys()].some((rel) => !this.last.has(rel));
    this.last = next;
    if (paths.length === 0 && removed.length === 0) return undefined;
    const change = { paths: [...paths, ...removed], listChanged };
    for (const l of this.listeners) l(change);
    return change;
  }

  private start(): void {
    this.last = new Map(this.folders().map((f) => [f.rel, f.signature]));
    this.timer = setInterval(() => this.poll(), this.pollMs);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.listeners.clear();
    this.stop();
  }
}
