import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { normalizePath } from '@nx/devkit';

/** A path relative to `from`, or undefined when it leaves `from`. */
function inside(from: string, path: string): string | undefined {
  const rel = relative(from, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? undefined : normalizePath(rel);
}

/**
 * The Nx input of a file (or, with `folder`, every file under a folder) a config names: paths
 * resolve against the project root (the working directory of the target). Inside the project it
 * is `{projectRoot}/...`, elsewhere in the workspace `{workspaceRoot}/...`; outside the workspace
 * Nx cannot hash it: undefined.
 *
 * @example pathInput('data/x.npy', 'trainings/mnist', '/ws'); // '{projectRoot}/data/x.npy'
 * @example pathInput('../shared/images', 'trainings/mnist', '/ws', true); // '{workspaceRoot}/trainings/shared/images/**\/*'
 */
export function pathInput(path: string, projectRoot: string, workspaceRoot: string, folder = false): string | undefined {
  const absolute = resolve(workspaceRoot, projectRoot, path);
  const inWorkspace = inside(workspaceRoot, absolute);
  if (inWorkspace === undefined) return undefined;
  const inProject = inside(join(workspaceRoot, projectRoot), absolute);
  const token = inProject !== undefined ? (inProject === '.' ? '{projectRoot}' : `{projectRoot}/${inProject}`) : `{workspaceRoot}/${inWorkspace}`;
  return folder ? `${token}/**/*` : token;
}

/** Where a package a config names is installed, as the workspace's node_modules has it. */
export type PackageLocation =
  /** an npm package: hashed by version through Nx's `externalDependencies` */
  | { kind: 'external'; name: string }
  /** a package of the workspace (npm workspaces link it): hashed by its files */
  | { kind: 'workspace'; name: string; root: string }
  /** not installed at the workspace root (yet): not hashed */
  | { kind: 'missing'; name: string };

/**
 * Where a package is installed: `node_modules/<name>` at the workspace root, a link into the
 * workspace (a workspace package) or a real folder (an npm package).
 *
 * @example locatePackage('@anneal/cli', '/ws'); // { kind: 'external', name: '@anneal/cli' }
 */
export function locatePackage(name: string, workspaceRoot: string): PackageLocation {
  const dir = join(workspaceRoot, 'node_modules', name);
  if (!existsSync(join(dir, 'package.json'))) return { kind: 'missing', name };
  if (lstatSync(dir).isSymbolicLink()) {
    const root = inside(realpathSync(workspaceRoot), realpathSync(dir));
    if (root !== undefined && !root.split('/').includes('node_modules')) return { kind: 'workspace', name, root };
  }
  return { kind: 'external', name };
}

/**
 * Nx inputs for packages: npm packages under one `externalDependencies` input (their installed
 * versions, and their dependencies', enter the hash), workspace packages by their files (specs
 * left out). Packages not installed are left out.
 *
 * @example packageInputs(['@anneal/cli', 'my-plugins'], '/ws');
 * // [{ externalDependencies: ['@anneal/cli'] }, '{workspaceRoot}/packages/my-plugins/**\/*', '!{workspaceRoot}/packages/my-plugins/**\/*.spec.ts']
 */
export function packageInputs(names: readonly string[], workspaceRoot: string): (string | { externalDependencies: string[] })[] {
  const located = [...new Set(names)].map((n) => locatePackage(n, workspaceRoot));
  const external = located.filter((l) => l.kind === 'external').map((l) => l.name);
  const files = located.flatMap((l) => (l.kind === 'workspace' ? [`{workspaceRoot}/${l.root}/**/*`, `!{workspaceRoot}/${l.root}/**/*.spec.ts`] : []));
  return [...(external.length ? [{ externalDependencies: external }] : []), ...files];
}
