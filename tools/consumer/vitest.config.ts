import { defineConfig } from 'vitest/config';

// The consumer projects install the packed, built packages: no source condition here.
export default defineConfig({ test: { pool: 'forks', include: ['src/**/*.spec.ts'], testTimeout: 600_000, hookTimeout: 600_000 } });
