#!/usr/bin/env node
// System packages some tests use (Debian): redis-server for the distributed-search tests, chromium
// for the report test that opens report.html in a real headless browser. When one
// is missing and apt-get is usable (root), it is installed; otherwise the tests that need it are
// skipped with a note. Never fails the command.
import { spawnSync } from 'node:child_process';

const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const wanted = [
  { bin: 'redis-server', pkg: 'redis-server', why: 'distributed search tests (@anneal/search, anneal tune --worker)' },
  { bin: 'chromium', pkg: 'chromium', why: 'the report.html browser test (@anneal/report)' },
];
const missing = wanted.filter((w) => !has(w.bin));
if (missing.length) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !has('apt-get', ['--version'])) {
    console.error(`[anneal] not installed: ${missing.map((m) => `${m.pkg} (${m.why})`).join(', ')}; those tests will be skipped`);
  } else {
    const pkgs = missing.map((m) => m.pkg);
    console.error(`[anneal] installing ${pkgs.join(' ')} with apt-get...`);
    const opts = { stdio: 'ignore', timeout: 240_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
    let ok = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], opts).status === 0;
    if (!ok) ok = spawnSync('apt-get', ['update'], opts).status === 0 && spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], opts).status === 0;
    console.error(ok ? `[anneal] installed ${pkgs.join(' ')}` : `[anneal] could not install ${pkgs.join(' ')}; those tests will be skipped`);
  }
}
