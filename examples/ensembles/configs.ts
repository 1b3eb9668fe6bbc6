// The experiment's fit configs: the commented YAML files beside this file, re-seeded per group.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@anneal/onnx';
import { type FitConfig, loadFitConfig, validateFitConfig } from '@anneal/pipeline';

const here = dirname(fileURLToPath(import.meta.url));

/** Loads `examples/ensembles/<file>` (validated like `anneal fit` does). */
export function exampleConfig(file: string): FitConfig {
  return loadFitConfig(join(here, file));
}

/**
 * The config with another base seed (initialization and shuffling; dropout masks follow the seed too; the split
 * keeps its own `data.split.seed`), validated again.
 */
export function withSeed(config: FitConfig, seed: number, where: string): FitConfig {
  const model = config.model.type === 'onnx' ? config.model : { ...config.model, seed: undefined };
  return validateFitConfig({ ...config, name: `${config.name}-s${seed}`, seed, model }, where);
}

/** Writes a derived config as `<dir>/fit-config.json` for the commands that read a config file; returns its path. */
export function writeConfig(dir: string, config: FitConfig): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'fit-config.json');
  writeFileAtomic(path, JSON.stringify(config, null, 2) + '\n');
  return path;
}
