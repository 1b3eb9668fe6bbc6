import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangeFeed } from './change-feed.js';
import { runRecords, writeMetrics, writeRun } from './test-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'dash-feed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ChangeFeed', () => {
  it('tells which run changed when metrics.jsonl is replaced by a rename, even with the same size and mtime', () => {
    writeRun(join(root, 'a'), 'a', { epochs: 1 });
    writeRun(join(root, 'b'), 'b', { epochs: 1 });
    const feed = new ChangeFeed(root, 60_000);
    const seen: string[][] = [];
    const stop = feed.subscribe((c) => seen.push(c.paths));
    expect(feed.poll()).toBeUndefined();
    const path = join(root, 'a', 'metrics.jsonl');
    writeMetrics(join(root, 'a'), runRecords({ epochs: 1 })); // same bytes, new inode
    utimesSync(path, new Date(0), new Date(0));
    expect(feed.poll()).toEqual({ paths: ['a'], listChanged: false });
    writeRun(join(root, 'c'), 'c', { epochs: 1 });
    expect(feed.poll()).toEqual({ paths: ['c'], listChanged: true });
    rmSync(join(root, 'b'), { recursive: true });
    expect(feed.poll()).toEqual({ paths: ['b'], listChanged: true });
    expect(seen).toEqual([['a'], ['c'], ['b']]);
    stop();
    feed.close();
  });
});
