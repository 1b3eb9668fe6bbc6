import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../run-cli.js';
import { spawnCli } from '../spawn-cli.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-run-folders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = (name: string) => `name: ${name}
data:
  source: { type: mnist, perDigit: 30 }
  batchSize: 16
model: { type: mlp, hidden: [16] }
optimizer: { lr: 0.01 }
train: { epochs: 2, threads: 1 }
`;

describe('run folders', () => {
  it('two anneal fit processes given the same --out: exactly one trains, the other is told the folder holds a run', async () => {
    const out = join(root, 'shared');
    const files = ['a', 'b'].map((name) => {
      const file = join(root, `${name}.yaml`);
      writeFileSync(file, config(name));
      return file;
    });
    const clis = files.map((file) => spawnCli(['fit', file, '--out', out, '--no-progress']));
    const codes = await Promise.all(clis.map((c) => c.done));
    expect([...codes].sort(), clis.map((c) => c.stderr()).join('\n---\n')).toEqual([0, 2]);
    const lost = clis.find((c) => /already holds a run/.test(c.stderr()));
    expect(lost?.stderr()).toMatch(/anneal: ConfigError: .*shared already holds a run; continue it with `anneal resume .*shared`, replace it with `anneal fit --force`, or choose another folder/);
    // the folder is the winner's alone: its config, its summary
    const winner = clis.find((c) => c !== lost)!;
    const name = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).name as string;
    expect(winner.stderr()).toContain(`anneal fit: ${name} -> `);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
  }, 120_000);

  it("refuses the run names '.' and '..' before writing anything", async () => {
    for (const name of ['.', '..']) {
      const file = join(root, `dots-${name.length}.yaml`);
      writeFileSync(file, config(`'${name}'`));
      const r = await run(['fit', file, '--no-progress']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/name: '\.' and '\.\.' are not names \(they would write into the current or parent folder\); name the run/);
    }
  });
});
