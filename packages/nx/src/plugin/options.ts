/**
 * Options of the `@anneal/nx` plugin, given in nx.json.
 *
 * @example
 * ```json
 * { "plugins": [{ "plugin": "@anneal/nx", "options": { "trainTargetName": "fit", "runsDir": "out" } }] }
 * ```
 */
export interface AnnealNxPluginOptions {
  /** Target that trains a fit config (`anneal fit`); default `train`. */
  trainTargetName?: string;
  /** Target that scores a trained run folder (`anneal evaluate`); default `evaluate`. */
  evaluateTargetName?: string;
  /** Target that runs a tune config's study (`anneal tune`); default `tune`. */
  tuneTargetName?: string;
  /** Folder of run and study folders, relative to the project root; default `runs`. */
  runsDir?: string;
  /** Suffix of a study folder's name after the tune config's (`runs/<stem><suffix>`); default `-study`. */
  studySuffix?: string;
  /** The command that runs Anneal; default `anneal` (the bin of @anneal/cli, found in node_modules/.bin). */
  command?: string;
}

/** {@link AnnealNxPluginOptions} with every default filled in. */
export type NormalizedOptions = Required<AnnealNxPluginOptions>;

/** The options with their defaults. */
export function normalizeOptions(options: AnnealNxPluginOptions | undefined): NormalizedOptions {
  return {
    trainTargetName: options?.trainTargetName ?? 'train',
    evaluateTargetName: options?.evaluateTargetName ?? 'evaluate',
    tuneTargetName: options?.tuneTargetName ?? 'tune',
    runsDir: options?.runsDir ?? 'runs',
    studySuffix: options?.studySuffix ?? '-study',
    command: options?.command ?? 'anneal',
  };
}
