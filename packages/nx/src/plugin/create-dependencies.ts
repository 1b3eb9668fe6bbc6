import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pluginPackages } from '@anneal/plugin';
import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import { configName, readConfig } from './config-file.js';
import type { AnnealNxPluginOptions } from './options.js';

/** The package name of each project that has one (from Nx's metadata, else its package.json). */
function projectsByPackage(projects: Parameters<CreateDependencies>[1]['projects'], workspaceRoot: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, project] of Object.entries(projects)) {
    let packageName = (project.metadata as { js?: { packageName?: string } } | undefined)?.js?.packageName;
    const manifest = join(workspaceRoot, project.root, 'package.json');
    if (!packageName && existsSync(manifest)) {
      try {
        packageName = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      } catch {
        // not our file to judge: Nx reports a broken package.json itself
      }
    }
    if (packageName) out.set(packageName, name);
  }
  return out;
}

/** Plugin packages of a config, with those of a tune config's base file. */
function configPackages(file: string, workspaceRoot: string): string[] {
  const read = readConfig(join(workspaceRoot, file));
  if (!read.ok) return [];
  const packages = pluginPackages(read.content);
  const base = read.content.base;
  if (configName(file)?.kind === 'tune' && typeof base === 'string') {
    const baseRead = readConfig(join(workspaceRoot, dirname(file), base));
    if (baseRead.ok) packages.push(...pluginPackages(baseRead.content));
  }
  return [...new Set(packages)];
}

/**
 * Project graph edges from a project to the plugin packages its Anneal configs name: to a
 * workspace project publishing that package (so `nx affected` retrains when the plugin changes,
 * and `^build` builds it first), or to the installed npm package.
 *
 * @example
 * // trainings/mnist/mnist.fit.yaml names `package: halving` and packages/halving is the workspace's `halving`:
 * // [{ source: 'mnist', target: 'halving', type: 'static', sourceFile: 'trainings/mnist/mnist.fit.yaml' }]
 */
export const createDependencies: CreateDependencies<AnnealNxPluginOptions> = (_options, context) => {
  const byPackage = projectsByPackage(context.projects, context.workspaceRoot);
  const deps: RawProjectGraphDependency[] = [];
  for (const [source, files] of Object.entries(context.filesToProcess.projectFileMap)) {
    for (const { file } of files) {
      if (!configName(file)) continue;
      for (const pkg of configPackages(file, context.workspaceRoot)) {
        const target = byPackage.get(pkg) ?? (context.externalNodes?.[`npm:${pkg}`] ? `npm:${pkg}` : undefined);
        if (target && target !== source) deps.push({ source, target, sourceFile: file, type: DependencyType.static });
      }
    }
  }
  return deps;
};
