// The training packages in a real page: the packed tarballs installed into a fresh project,
// bundled by Vite for the browser (their "browser" builds: no Node module reaches the bundle),
// served on loopback and run in headless Chromium on onnxruntime-web (wasm); the losses are the
// ones the same code computes under Node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '@anneal/testing';
import { closure, freshProject, npm, packAll, writeFiles } from './packages.js';

/** The training both sides run: a seeded synthetic 3-class problem, an MLP, Adam, 12 steps of batch 32. */
const train = `import { DataLoader, fromArrays } from '@anneal/data';
import { buildMlp, TrainSession } from '@anneal/engine';
import { adam } from '@anneal/optim';

export async function trainSteps(device) {
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const rows = Array.from({ length: 384 }, () => Array.from({ length: 8 }, rand));
  const labels = rows.map((r) => (r[0] + r[1] > 0.3 ? 0 : r[2] - r[3] > 0 ? 1 : 2));
  const loader = new DataLoader(fromArrays(rows, labels), { batchSize: 32, shuffle: true, seed: 1 });
  const batches = [...loader.epochBatches(0)];
  const session = await TrainSession.create({ model: buildMlp({ sizes: [8, 16, 3], seed: 3 }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr: 0.01 }, sample: batches[0], device, intraOpThreads: 1 });
  const losses = [];
  for (const batch of batches) losses.push((await session.step(batch)).loss);
  const evaluation = await session.evaluate(batches);
  await session.release();
  return { losses, accuracy: evaluation.accuracy, device: session.device };
}
`;

let project: string;
let server: Server;
let url: string;

/** Serves the Vite build, and onnxruntime-web's wasm files under /ort/. */
function serve(root: string, ort: string): Promise<string> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = path.startsWith('/ort/') ? join(ort, path.slice(5)) : join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(root) && !file.startsWith(ort)) return void res.writeHead(403).end();
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)));
}

beforeAll(async () => {
  const tarballs = mkdtempSync(join(tmpdir(), 'anneal-tarballs-'));
  const packed = packAll(tarballs);
  project = freshProject('browser');
  npm(project, ['install', '--prefer-offline', ...closure(packed, ['@anneal/core', '@anneal/engine', '@anneal/optim', '@anneal/data', '@anneal/runtime']), 'onnxruntime-web@1.30.0', 'vite@^8.3.8']);
  rmSync(tarballs, { recursive: true, force: true });
  writeFiles(project, {
    'train.js': train,
    'index.html': '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script type="module" src="/page.js"></script></body></html>',
    'page.js': `import { configureWebBackend } from '@anneal/runtime';
import { trainSteps } from './train.js';

configureWebBackend({ wasmPaths: '/ort/', numThreads: 1 });
trainSteps('wasm').then((r) => (window.__result = r), (e) => (window.__result = { error: String(e && e.stack || e) }));
`,
    'vite.config.js': "export default { build: { target: 'es2022', outDir: 'build', emptyOutDir: true }, logLevel: 'warn' };",
    'node.mjs': `import { trainSteps } from './train.js';
console.log(JSON.stringify({ wasm: await trainSteps('wasm'), cpu: await trainSteps('cpu') }));
`,
  });
  const built = spawnSync(join(project, 'node_modules', '.bin', 'vite'), ['build'], { cwd: project, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`vite build failed:\n${built.stdout}\n${built.stderr}`);
  url = await serve(join(project, 'build'), join(project, 'node_modules', 'onnxruntime-web', 'dist'));
});

afterAll(() => {
  server?.close();
  // ANNEAL_KEEP_CONSUMER=1 keeps the project to look into
  if (project && !process.env.ANNEAL_KEEP_CONSUMER) rmSync(project, { recursive: true, force: true });
  else if (project) console.log(`kept ${project}`);
});

describe('the training packages in a browser', () => {
  it('bundle without any Node module (Vite, browser conditions)', () => {
    const assets = readdirSync(join(project, 'build', 'assets')).filter((f) => f.endsWith('.js'));
    const code = assets.map((f) => readFileSync(join(project, 'build', 'assets', f), 'utf8')).join('\n');
    const nodeImports = code.match(/import\(["']onnxruntime-node["']\)|from\s*["']node:[a-z_]+["']|require\(["']node:[a-z_]+["']\)/g) ?? [];
    expect(nodeImports, 'Node modules imported by the browser bundle').toEqual([]);
    expect(code.includes('does not run in a browser'), 'the browser twin of the onnxruntime-node loader is bundled').toBe(true);
  });

  it('train on onnxruntime-web in headless Chromium with the losses Node computes', async () => {
    const executablePath = findChromium();
    if (!executablePath) throw new Error('no chromium binary; npm test installs it (apt-get install chromium)');
    const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
    const errors: string[] = [];
    let page;
    let result: { losses: number[]; accuracy: number; device: string; error?: string };
    try {
      page = await browser.newPage();
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, { timeout: 120_000 }).catch((e: unknown) => {
        throw new Error(`the page never finished: ${String(e)}; console errors: ${errors.join(' | ') || 'none'}`);
      });
      result = (await page.evaluate(() => (window as unknown as { __result: unknown }).__result)) as typeof result;
    } finally {
      await browser.close();
    }
    expect(result.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(result.device).toBe('wasm');
    expect(result.losses.length).toBe(12);
    const node = spawnSync(process.execPath, ['node.mjs'], { cwd: project, encoding: 'utf8' });
    expect(node.status, node.stderr).toBe(0);
    const { wasm, cpu } = JSON.parse(node.stdout.trim().split('\n').at(-1)!) as { wasm: typeof result; cpu: typeof result };
    console.log(`browser wasm losses: ${result.losses.map((l) => l.toFixed(6)).join(' ')}\nnode wasm losses:    ${wasm.losses.map((l) => l.toFixed(6)).join(' ')}\nnode cpu losses:     ${cpu.losses.map((l) => l.toFixed(6)).join(' ')}`);
    // the same wasm kernels on both sides; onnxruntime-node's CPU kernels sum in another order
    result.losses.forEach((l, i) => expect(Math.abs(l - wasm.losses[i]!), `step ${i}`).toBeLessThan(1e-6));
    result.losses.forEach((l, i) => expect(Math.abs(l - cpu.losses[i]!) / cpu.losses[i]!, `step ${i}`).toBeLessThan(1e-4));
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0]!);
  });
});
