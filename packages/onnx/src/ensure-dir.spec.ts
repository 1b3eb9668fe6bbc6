import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeAtomicTemps } from './atomic-temps.js';
import { ensureDir } from './ensure-dir.js';
import { FolderError } from './errors.js';
import { writeFileAtomic } from './io.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-ensure-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ensureDir', () => {
  it('creates missing levels and accepts an existing folder', () => {
    const dir = join(root, 'a', 'b', 'c');
    ensureDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    ensureDir(dir);
    ensureDir(root);
  });

  it('throws a FolderError at once where recursive mkdir hangs (/proc) and when a parent is a file', () => {
    const started = performance.now();
    expect(() => ensureDir('/proc/self/nope/x')).toThrow(FolderError);
    expect(() => ensureDir('/proc/self/nope/x')).toThrow(/cannot create the folder '\/proc\/self\/nope\/x': mkdir '\/proc\/self\/nope' failed \(ENOENT\)/);
    expect(performance.now() - started).toBeLessThan(1000);
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    expect(() => ensureDir(join(file, 'sub'))).toThrow(/exists and is not a folder/);
    // writeFileAtomic creates its folder the same way
    expect(() => writeFileAtomic('/proc/self/nope/c.npy', 'x')).toThrow(FolderError);
  });
});

describe('removeAtomicTemps', () => {
  it("removes only writeFileAtomic's temporary siblings, in sub-folders too", () => {
    const dir = join(root, 'run');
    writeFileAtomic(join(dir, 'checkpoints', 'last.safetensors'), 'ok');
    const stale = [join(dir, '.config.json.0123456789ab.tmp'), join(dir, 'checkpoints', '.last.safetensors.a1b2c3d4e5f6.tmp')];
    for (const f of stale) writeFileSync(f, 'half');
    const kept = [join(dir, 'notes.tmp'), join(dir, '.hidden.tmp'), join(dir, '.x.0123456789AB.tmp')];
    for (const f of kept) writeFileSync(f, 'mine');
    expect(removeAtomicTemps(dir).sort()).toEqual([...stale].sort());
    for (const f of kept) expect(existsSync(f)).toBe(true);
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['last.safetensors']);
    expect(removeAtomicTemps(join(root, 'absent'))).toEqual([]);
  });
});
