import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInside } from './safe-path.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'dash-safe-')));
const root = join(base, 'runs');
mkdirSync(join(root, 'a', 'b'), { recursive: true });
writeFileSync(join(root, 'a', 'b', 'config.json'), '{}');
writeFileSync(join(base, 'secret.txt'), 'secret');
mkdirSync(join(base, 'outside'));
symlinkSync(join(base, 'secret.txt'), join(root, 'leak.txt'));
symlinkSync(join(base, 'outside'), join(root, 'leak-dir'));
symlinkSync(join(root, 'a'), join(root, 'alias'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveInside', () => {
  it('resolves paths inside the folder, with or without ./ and slashes', () => {
    for (const p of ['a/b/config.json', './a/b/config.json', 'a//b/config.json', 'a/b/./config.json']) {
      expect(resolveInside(root, p)).toEqual({ ok: true, path: join(root, 'a', 'b', 'config.json'), rel: 'a/b/config.json' });
    }
    expect(resolveInside(root, '')).toMatchObject({ ok: true, path: root, rel: '' });
  });

  it('refuses .. segments, absolute paths, backslashes and NUL bytes with 403', () => {
    for (const p of ['..', '../secret.txt', 'a/../../secret.txt', 'a/b/../..', '/etc/passwd', join(base, 'secret.txt'), 'C:/Windows', 'a\\..\\..\\secret.txt', 'a/b/config.json\0.png']) {
      expect(resolveInside(root, p), p).toMatchObject({ ok: false, status: 403 });
    }
  });

  it('refuses a symbolic link that leaves the folder (file or folder) with 403, follows one that stays inside', () => {
    expect(resolveInside(root, 'leak.txt')).toMatchObject({ ok: false, status: 403 });
    expect(resolveInside(root, 'leak-dir')).toMatchObject({ ok: false, status: 403 });
    expect(resolveInside(root, 'alias/b/config.json')).toMatchObject({ ok: true, path: join(root, 'a', 'b', 'config.json') });
  });

  it('answers 404 for what is not there, including a literal %2e%2e name (a doubly encoded ..)', () => {
    expect(resolveInside(root, 'nope/metrics.jsonl')).toMatchObject({ ok: false, status: 404 });
    expect(resolveInside(root, '%2e%2e/secret.txt')).toMatchObject({ ok: false, status: 404 });
  });
});
