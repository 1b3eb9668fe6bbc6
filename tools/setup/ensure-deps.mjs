#!/usr/bin/env node
// Installs the workspace's dependencies with `npm ci` when node_modules is missing or older than
// package-lock.json, so that `npm start` and `npm test` work on a fresh clone with no other step.
import { existsSync, readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.anneal-lock-hash');
const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
const current = existsSync(stamp) ? readFileSync(stamp, 'utf8') : '';
if (current !== hash || !existsSync(join(root, 'node_modules', '.bin', 'nx'))) {
  console.error('[anneal] installing dependencies (npm ci)...');
  // onnxruntime-node's postinstall would download CUDA libraries (and fail offline): the
  // repository's .npmrc skips it (onnxruntime-node-install=skip); ONNXRUNTIME_NODE_INSTALL=cuda12
  // in the environment takes precedence (see the README)
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, hash);
}

