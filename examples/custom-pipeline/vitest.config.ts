import { defineConfig } from 'vitest/config';

export default defineConfig({
  ssr: { resolve: { conditions: ['@anneal/source'] } },
  resolve: { conditions: ['@anneal/source'] },
  test: { pool: 'forks', include: ['*.spec.ts'], testTimeout: 300_000 },
});
