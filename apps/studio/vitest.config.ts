import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// one spec file at a time: the browser spec measures training speed, which a parallel spec would slow
export default mergeConfig(sharedConfig(), { test: { fileParallelism: false } });
