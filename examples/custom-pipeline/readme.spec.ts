import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

it("runs the README's code example (\"In your own code\") as written", async () => {
  const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In your own code'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  const file = join(here, '.readme-example.ts');
  const lines: string[] = [];
  const log = console.log;
  writeFileSync(file, code);
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    await import(pathToFileURL(file).href);
  } finally {
    console.log = log;
    rmSync(file, { force: true });
    rmSync(join(here, 'runs'), { recursive: true, force: true });
  }
  // the custom callback printed improvements, and the last line is the test accuracy and the model path
  expect(lines.some((l) => /^epoch \d: 0\.\d+/.test(l))).toBe(true);
  const [accuracy, model] = lines.at(-1)!.split(' ');
  expect(Number(accuracy)).toBeGreaterThan(0.92);
  expect(model).toMatch(/runs\/mnist-mlp\/model\.onnx$/);
});
