import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { charEdits, duplicateKeyTexts, fuzzRandom, fuzzSummary, jsonFieldMutations, lineEdits, namesFile, runFuzz, textTruncations, tokenReplacements, type Mutant } from '@anneal/testing/fuzz';
import { ConfigError } from '../errors.js';
import { loadFitConfig, readJsonFile } from './load-config.js';

// Malformed configs (YAML and JSON) and run-folder JSON files: each must give a ConfigError naming
// the file (YAML alias bombs and duplicate keys included), or a config the schema accepted.

const config = {
  name: 'fuzz',
  seed: 0,
  data: { source: { type: 'iris' }, split: { test: 0.2, val: 0.1, seed: 0 }, batchSize: 16 },
  model: { type: 'mlp', hidden: [8, 4] },
  optimizer: { type: 'adam', lr: 0.01 },
  schedules: [{ target: 'lr', schedule: { type: 'cosine', base: 0.01, tMax: 100 } }],
  train: { epochs: 2 },
};

const yaml = `# a fit config
name: fuzz
seed: 0
data:
  source: { type: iris }
  split: { test: 0.2, val: 0.1, seed: 0 }
  batchSize: &batch 16
model: { type: mlp, hidden: [8, 4] }
optimizer: { type: adam, lr: 0.01 }
schedules:
  - target: lr
    schedule: { type: cosine, base: 0.01, tMax: 100 }
train: { epochs: 2, groupSize: *batch }
`;

/** A billion-laughs document: `levels` anchors, each a list of `width` aliases of the one before. */
function aliasBomb(levels: number, width: number): string {
  const lines = ['a0: &a0 [lol]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(', ')}]`);
  return `${yaml}${lines.join('\n')}\n`;
}

const NUMBERS = ['-1', '0', '1e9', '1e400', '.nan', '-.inf', '0x10', '"16"', 'null', '~', '[]', '{}', 'true', '2.5'];

function yamlMutants(): Mutant<string>[] {
  const rng = fuzzRandom(31);
  return [
    { name: 'valid', input: yaml, expect: 'ok' },
    ...textTruncations(yaml, 40),
    ...charEdits(yaml, 80, rng),
    ...lineEdits(yaml, 40, rng),
    ...tokenReplacements(yaml, /(?<=: )\d+(\.\d+)?/g, NUMBERS, rng, 40),
    ...[
      [3, 10],
      [5, 10],
      [9, 9],
      [20, 2],
    ].map(([levels, width]) => ({ name: `alias bomb ${levels} levels x ${width}`, input: aliasBomb(levels!, width!), expect: 'error' as const })),
    { name: 'duplicate key (top level)', input: `${yaml}seed: 1\n`, expect: 'error' },
    { name: 'duplicate key (nested)', input: yaml.replace('{ type: adam, lr: 0.01 }', '{ type: adam, lr: 0.01, lr: 1 }'), expect: 'error' },
    { name: 'deep nesting', input: `${yaml}extra: ${'['.repeat(5000)}${']'.repeat(5000)}\n` },
    { name: 'tab indentation', input: yaml.replace('  source', '\tsource') },
    { name: 'an alias to an undefined anchor', input: yaml.replace('*batch', '*nope') },
    { name: 'a merge key', input: yaml.replace('model: {', 'model: { <<: *batch,') },
    { name: 'a custom tag', input: yaml.replace('seed: 0', 'seed: !!binary aGVsbG8=') },
    { name: 'two documents', input: `${yaml}---\nname: other\n` },
    { name: 'a list, not a mapping', input: '- 1\n- 2\n' },
    { name: 'a BOM', input: `\ufeff${yaml}`, expect: 'ok' },
    { name: 'empty', input: '' },
  ];
}

function jsonMutants(): Mutant<string>[] {
  const rng = fuzzRandom(32);
  const text = JSON.stringify(config, null, 2);
  return [
    { name: 'valid', input: text, expect: 'ok' },
    ...jsonFieldMutations(config, rng, 120).map((m) => ({ ...m, input: JSON.stringify(m.input, null, 2) })),
    ...duplicateKeyTexts(config),
    { name: 'duplicate nested key', input: text.replace('"lr": 0.01', '"lr": 0.01, "lr": 1'), expect: 'error' },
    ...textTruncations(text, 30),
    ...charEdits(text, 40, rng),
    { name: 'deep nesting', input: text.replace('"seed": 0', `"seed": ${'['.repeat(100000)}${']'.repeat(100000)}`) },
    { name: 'NaN', input: text.replace('0.01', 'NaN') },
    { name: 'comments', input: `// a comment\n${text}` },
  ];
}

describe('config fuzz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-fuzz-'));
  const run = (file: string) => (text: string) => {
    writeFileSync(file, text);
    return loadFitConfig(file);
  };

  it('every malformed YAML or JSON config gives a ConfigError naming the file (alias bombs and duplicate keys too)', async () => {
    try {
      const yamlFile = join(dir, 'fit.yaml');
      const jsonFile = join(dir, 'fit.json');
      const reports = [
        await runFuzz({ format: 'fit config, YAML (loadFitConfig)', run: run(yamlFile), typed: namesFile([ConfigError], () => yamlFile), timeoutMs: 3000 }, yamlMutants()),
        await runFuzz({ format: 'fit config, JSON (loadFitConfig)', run: run(jsonFile), typed: namesFile([ConfigError], () => jsonFile), timeoutMs: 3000 }, jsonMutants()),
      ];
      for (const report of reports) {
        console.log(fuzzSummary(report));
        expect(report.failures, fuzzSummary(report)).toEqual([]);
      }
      expect(reports[0]!.total + reports[1]!.total).toBeGreaterThan(400);
      writeFileSync(yamlFile, aliasBomb(9, 9));
      expect(() => loadFitConfig(yamlFile)).toThrow(/fit\.yaml: its YAML aliases expand to more than 100 nodes/);
      writeFileSync(jsonFile, '{\n  "name": "a",\n  "seed": }\n');
      expect(() => loadFitConfig(jsonFile)).toThrow(/fit\.json: not valid JSON \(line 3, column 11\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('damaged run-folder JSON files (config.json, runtime.json) give a ConfigError naming the file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'run-json-fuzz-'));
    try {
      const rng = fuzzRandom(33);
      const file = join(folder, 'runtime.json');
      const runtime = { intraOp: 2, loop: 1 };
      const cases: Mutant<string>[] = [
        ...[JSON.stringify(config), JSON.stringify(runtime)].flatMap((text) => [{ name: 'valid', input: text, expect: 'ok' as const }, ...textTruncations(text, 30), ...charEdits(text, 40, rng)]),
        ...duplicateKeyTexts(runtime),
        ...duplicateKeyTexts(config),
        { name: 'empty (cut by a full disk)', input: '', expect: 'error' },
        { name: 'NUL bytes', input: '\0\0\0\0', expect: 'error' },
      ];
      const report = await runFuzz(
        {
          format: 'run-folder JSON (readJsonFile)',
          run: (text) => {
            writeFileSync(file, text);
            return readJsonFile(file);
          },
          typed: namesFile([ConfigError], () => file),
          // the file holds the text as UTF-8 (a lone surrogate becomes U+FFFD), and its value is what JSON.parse makes of that
          verify: (text, value) => (JSON.stringify(value) === JSON.stringify(JSON.parse(new TextDecoder().decode(new TextEncoder().encode(text)))) ? undefined : 'the value is not the file'),
          timeoutMs: 2000,
        },
        cases,
      );
      console.log(fuzzSummary(report));
      expect(report.failures, fuzzSummary(report)).toEqual([]);
      expect(() => readJsonFile(folder)).toThrow(/cannot read it \(EISDIR\)/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
