import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Runs the first ```ts block after `from` in a markdown file as a module; returns what it printed. */
async function runSnippet(markdown: string, from: string): Promise<string[]> {
  const text = readFileSync(join(here, '..', '..', markdown), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(text.slice(text.indexOf(from)))![1]!;
  const file = join(here, `.readme-example-${markdown.replace(/[^\w]+/g, '-')}.ts`);
  const lines: string[] = [];
  const log = console.log;
  writeFileSync(file, code);
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    await import(pathToFileURL(file).href);
  } finally {
    console.log = log;
    rmSync(file, { force: true });
    // the run folder the example wrote (its last line ends with the model path, relative to the working directory)
    const model = lines.at(-1)?.split(' ').at(-1);
    if (model?.endsWith('model.onnx')) rmSync(dirname(resolve(model)), { recursive: true, force: true });
  }
  return lines;
}

it("runs the README's code example (\"In your own code\") as written", async () => {
  const lines = await runSnippet('README.md', '## In your own code');
  // the custom callback printed improvements, and the last line is the test accuracy and the model path
  expect(lines.some((l) => /^epoch \d: 0\.\d+/.test(l))).toBe(true);
  const [accuracy, model] = lines.at(-1)!.split(' ');
  expect(Number(accuracy)).toBeGreaterThan(0.92);
  expect(model).toMatch(/runs\/mnist-mlp(-\d+)?\/model\.onnx$/);
});

it("runs @anneal/pipeline's README example as written", async () => {
  const [accuracy, model] = (await runSnippet('packages/pipeline/README.md', '# @anneal/pipeline')).at(-1)!.split(' ');
  expect(Number(accuracy)).toBeGreaterThan(0.85);
  expect(model).toMatch(/runs\/iris(-\d+)?\/model\.onnx$/);
});
