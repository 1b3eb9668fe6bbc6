// .mts: this package is CommonJS (Nx requires plugins and generators), the config is ESM.
import { sharedConfig } from '../../vitest.shared.js';

export default sharedConfig();
