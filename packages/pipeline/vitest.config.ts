import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// The outside-plugins spec's plugin package lives in a temporary project's node_modules; vitest
// runs it through its transform (like the workspace packages it imports, which ship TypeScript sources).
export default mergeConfig(sharedConfig(), { test: { server: { deps: { inline: [/acme-anneal-plugins/] } } } });
