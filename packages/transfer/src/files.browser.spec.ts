// The browser twins of #files and #sharp, run under Node: the pure-JS sha256 matches node:crypto,
// path helpers behave like node:path for the names the package builds, and file access says why not.
import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TransferError } from './errors.js';
import { createSha256, extensionOf, fileExists, joinPath, readBytes } from './files.browser.js';
import sharp from './images/sharp.browser.js';

const nodeSha = (...parts: (Uint8Array | string)[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex');

describe('files.browser (the #files twin)', () => {
  it('hashes like node:crypto for every length around the block and padding edges, in any chunking', () => {
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70_001]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 255);
      expect(createSha256().update(bytes).digest(), `${n} bytes`).toBe(nodeSha(bytes));
      const cuts = [0, Math.floor(n / 3), Math.floor(n / 2) + 1, n].sort((a, b) => a - b);
      const h = createSha256();
      for (let i = 0; i + 1 < cuts.length; i++) h.update(bytes.subarray(cuts[i], cuts[i + 1]));
      expect(h.digest(), `${n} bytes in pieces`).toBe(nodeSha(bytes));
    }
    expect(createSha256().update('1:2x3;').update('é').digest()).toBe(nodeSha('1:2x3;', 'é'));
  });

  it('joins paths and finds extensions as node:path does for plain names', () => {
    expect(joinPath('cache', 'a.json')).toBe('cache/a.json');
    expect(joinPath('cache/', '/a.json')).toBe('cache/a.json');
    for (const name of ['a/b.PNG', 'x.tar.gz', 'noext', '.hidden', 'dir.d/file']) expect(extensionOf(name), name).toBe(extname(name));
  });

  it('refuses file access with what to do instead', () => {
    expect(fileExists('/etc/hostname')).toBe(false);
    expect(() => readBytes('model.onnx')).toThrow(TransferError);
    expect(() => readBytes('model.onnx')).toThrow(/decodeModel\(bytes\)/);
  });
});

describe('sharp.browser (the #sharp twin)', () => {
  it('says to use a canvas and preprocessRgba, whether called or asked for its formats', () => {
    expect(() => sharp('a.png')).toThrow(/preprocessRgba/);
    expect(() => sharp.format).toThrow(/preprocessRgba/);
  });
});
