#!/usr/bin/env node
// Builds the packages a command needs (ESM + .d.ts in each dist/) through Nx, which skips
// whatever is already built from the same sources (its cache); quiet unless something fails.
// Usage: node tools/setup/ensure-build.mjs [project ...]   (default: @anneal/cli and its dependencies)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const projects = process.argv.slice(2);
const args = ['nx', 'run-many', '-t', 'build', `--projects=${(projects.length ? projects : ['@anneal/cli']).join(',')}`, '--output-style=static'];
const started = Date.now();
const r = spawnSync('npx', args, { cwd: root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' } });
if (r.status !== 0) {
  process.stderr.write(r.stdout + r.stderr);
  console.error('[anneal] the build failed (output above)');
  process.exit(r.status ?? 1);
}
const seconds = (Date.now() - started) / 1000;
if (seconds > 5) console.error(`[anneal] packages built in ${seconds.toFixed(0)} s`);
