// Every kind the plugin generator writes, through its own conformance suite: the generated
// projects are written outside the repository (node_modules linked to the workspace's, @anneal/*
// resolved to their sources) and their specs run unchanged in a vitest process of their own.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { pluginGenerator } from './generator.js';
import { PLUGIN_KINDS } from './kinds/index.js';

const repo = join(__dirname, '..', '..', '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'anneal-nx-kinds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface VitestJson {
  testResults: { name: string; status: string; message: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

describe('the generated plugin of every kind', () => {
  it('passes its kind conformance suite, as generated', async () => {
    const tree = createTreeWithEmptyWorkspace();
    for (const kind of PLUGIN_KINDS) await pluginGenerator(tree, { name: `my-${kind}`, kind, skipFormat: true });
    for (const change of tree.listChanges()) {
      if (change.type === 'DELETE' || !change.path.startsWith('my-')) continue;
      mkdirSync(dirname(join(dir, change.path)), { recursive: true });
      writeFileSync(join(dir, change.path), change.content!);
    }
    symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // the generated vitest.config.ts of each project, plus the workspace's source-first resolution
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      `export default { ssr: { resolve: { conditions: ['@anneal/source'] } }, resolve: { conditions: ['@anneal/source'] }, test: { include: ['*/src/**/*.spec.ts'], pool: 'forks', testTimeout: 120000 } };\n`,
    );
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
    const r = spawnSync(process.execPath, [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'vitest.config.mjs', '--reporter=json', '--outputFile=results.json'], { cwd: dir, encoding: 'utf8', env });
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as VitestJson;
    const failures = results.testResults.flatMap((f) => [...(f.message ? [`${f.name}: ${f.message}`] : []), ...f.assertionResults.filter((a) => a.status !== 'passed').map((a) => `${f.name} > ${a.title}: ${a.failureMessages.join('\n')}`)]);
    expect(failures.join('\n\n')).toBe('');
    expect(r.status, r.stderr).toBe(0);
    const byKind = Object.fromEntries(results.testResults.map((f) => [/my-([\w-]+)\/src/.exec(f.name)![1]!, f.assertionResults.length]));
    expect(Object.keys(byKind).sort()).toEqual([...PLUGIN_KINDS].sort());
    for (const [kind, tests] of Object.entries(byKind)) expect(tests, kind).toBeGreaterThanOrEqual(4);
  }, 600_000);
});
