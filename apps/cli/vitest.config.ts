import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// Two spec files at a time: most CLI specs wait on child processes (workers, kills, outages,
// installs), so a second file overlaps those waits; the suite's wall time is CI's critical path.
export default mergeConfig(sharedConfig(), defineConfig({ test: { maxWorkers: 2 } }));
