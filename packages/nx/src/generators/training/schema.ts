/** Options of the `@anneal/nx:training` generator (see schema.json). */
export interface TrainingGeneratorSchema {
  /** Project name and the stem of its configs (kebab-case). */
  name: string;
  /** Folder of the project, workspace-relative (default: the name). */
  directory?: string;
  /** `mnist` (default) or `iris`. */
  dataset?: 'mnist' | 'iris';
  /** Epochs of the fit config (default 5 for mnist, 30 for iris). */
  epochs?: number;
  /** MNIST digits per class (default 100). */
  perDigit?: number;
  /** Intra-op threads of ONNX Runtime (default: Anneal's choice). */
  threads?: number;
  /** Trials of the study (default 10). */
  trials?: number;
  skipFormat?: boolean;
}
