import { defineConfig } from 'vitest/config';

/** Vitest settings shared by every package: source-first resolution of @anneal/* and the forks pool (ORT fails in vm pools). */
export function sharedConfig() {
  return defineConfig({
    ssr: { resolve: { conditions: ['@anneal/source'] } },
    resolve: { conditions: ['@anneal/source'] },
    test: {
      pool: 'forks',
      include: ['src/**/*.spec.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  });
}
