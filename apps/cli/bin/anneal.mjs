#!/usr/bin/env node
// The `anneal` command. Installed, it runs the compiled CLI (dist/). In the repository before a
// build, or with ANNEAL_SOURCE=1 (the specs that spawn the CLI), it runs the TypeScript sources of
// every workspace package (tools/setup/source-mode.mjs: tsx, a development dependency, and the
// @anneal/source export condition).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/main.js', import.meta.url);
const inRepository = existsSync(new URL('../../../tools/setup/source-mode.mjs', import.meta.url));
const fromSource = inRepository && (process.env.ANNEAL_SOURCE === '1' || !existsSync(dist));
if (!fromSource && !existsSync(dist)) {
  console.error('anneal: this @anneal/cli has no dist/ build (an incomplete install or pack); reinstall @anneal/cli');
  process.exit(1);
}
if (fromSource) await import('../../../tools/setup/source-mode.mjs');
const { main } = await import(fromSource ? new URL('../src/main.ts', import.meta.url).href : dist.href);
process.exitCode = await main(process.argv.slice(2));
