import type { PluginKind } from './kinds/index.js';

/** Options of the `@anneal/nx:plugin` generator (see schema.json). */
export interface PluginGeneratorSchema {
  /** The plugin id (kebab-case); the package name too unless `packageName` is given. */
  name: string;
  kind: PluginKind;
  /** Folder of the project, workspace-relative (default: the name). */
  directory?: string;
  /** The npm package name (default: the name). */
  packageName?: string;
  skipFormat?: boolean;
}
