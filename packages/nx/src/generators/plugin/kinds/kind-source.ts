/** Names of a generated plugin: its id, the constant holding its descriptor, its package. */
export interface PluginNames {
  /** The plugin id configs name it by (`type:`), kebab-case. */
  id: string;
  /** The exported constant of its descriptor, camelCase. */
  constant: string;
  /** The npm package (`package:` in configs). */
  packageName: string;
}

/** What the plugin generator writes for one extension point kind. */
export interface KindSource {
  /** The public package with the kind's define helper (a peer dependency of the plugin package). */
  package: string;
  /** The define helper, e.g. `defineScheduler`. */
  helper: string;
  /** The conformance suite of @anneal/testing, e.g. `describeSchedulerConformance`. */
  suite: string;
  /** Other @anneal packages the implementation imports (peer dependencies too). */
  uses: readonly string[];
  /** @anneal packages only the spec imports besides @anneal/testing (dev dependencies). */
  specUses?: readonly string[];
  /** src/index.ts: a minimal but real plugin, exported as `descriptors`. */
  index(n: PluginNames): string;
  /** src/index.spec.ts: the kind's conformance suite on it. */
  spec(n: PluginNames): string;
  /** A config excerpt naming the plugin (for its README). */
  usage(n: PluginNames): string;
}

/** The tail every generated src/index.ts ends with. */
export const exportDescriptors = (n: PluginNames) => `
/** The descriptors of this package, as Anneal loads them (\`package: ${n.packageName}\` in a config). */
export const descriptors = [${n.constant}];
export default descriptors;
`;
