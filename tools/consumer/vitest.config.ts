import { defineConfig } from 'vitest/config';

// The consumer projects install the packed, built packages: no source condition here. Each spec
// file packs into and installs from its own temporary folders, so two run at a time (their npm
// installs and child processes mostly wait on the disk).
export default defineConfig({ test: { pool: 'forks', include: ['src/**/*.spec.ts'], testTimeout: 600_000, hookTimeout: 600_000, maxWorkers: 2 } });
