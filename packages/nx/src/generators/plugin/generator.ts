import { addProjectConfiguration, formatFiles, getProjects, joinPathFragments, names, normalizePath, writeJson, type Tree } from '@nx/devkit';
import { AnnealNxError } from '../../errors.js';
import { versions } from '../../versions.js';
import { KIND_SOURCES, PLUGIN_KINDS, type PluginKind } from './kinds/index.js';
import type { PluginNames } from './kinds/kind-source.js';
import type { PluginGeneratorSchema } from './schema.js';

export { PLUGIN_KINDS, type PluginKind } from './kinds/index.js';
export type { PluginGeneratorSchema } from './schema.js';

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The schema's options checked (the CLI validates against schema.json; code calling the generator does not) and completed. */
function normalize(tree: Tree, schema: PluginGeneratorSchema): PluginNames & { kind: PluginKind; root: string } {
  if (!PLUGIN_KINDS.includes(schema.kind)) throw new AnnealNxError('OPTION', `--kind '${String(schema.kind)}' is not an extension point kind; use one of ${PLUGIN_KINDS.join(', ')}`);
  if (!KEBAB.test(schema.name ?? '')) throw new AnnealNxError('OPTION', `--name '${String(schema.name)}' is not a kebab-case plugin id (like 'step-decay'); configs name plugins by it`);
  const root = normalizePath(schema.directory ?? schema.name).replace(/^\.\/|\/$/g, '');
  const packageName = schema.packageName ?? schema.name;
  if (tree.exists(root) && tree.children(root).length) throw new AnnealNxError('EXISTS', `${root} already exists and is not empty; choose another --directory or remove it`);
  if (getProjects(tree).has(packageName)) throw new AnnealNxError('EXISTS', `the workspace already has a project named '${packageName}'; choose another --name or --packageName`);
  return { kind: schema.kind, root, id: schema.name, constant: names(schema.name).propertyName, packageName };
}

/**
 * `nx g @anneal/nx:plugin`: a plugin package of one extension point kind. It writes
 * package.json (the kind's public package as a peer dependency), src/index.ts exporting
 * `descriptors` built with the kind's define helper (a minimal but real plugin), src/index.spec.ts
 * running the kind's conformance suite from @anneal/testing, tsconfig.json, tsconfig.build.json,
 * vitest.config.ts and a README; and a project.json so Nx knows the project wherever it lives.
 *
 * @example
 * ```sh
 * npx nx g @anneal/nx:plugin step-decay --kind schedule --directory packages/step-decay
 * npx nx run step-decay:test    # the schedule conformance suite
 * ```
 */
export async function pluginGenerator(tree: Tree, schema: PluginGeneratorSchema): Promise<void> {
  const o = normalize(tree, schema);
  const source = KIND_SOURCES[o.kind];
  const peers = Object.fromEntries([source.package, ...source.uses].map((p) => [p, versions.anneal]));
  const file = (path: string) => joinPathFragments(o.root, path);
  writeJson(tree, file('package.json'), {
    name: o.packageName,
    version: '0.1.0',
    description: `An Anneal ${o.kind} plugin: ${o.id}`,
    keywords: ['anneal', 'anneal-plugin', `anneal-${o.kind}`],
    type: 'module',
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
    files: ['dist'],
    scripts: { build: 'tsc -p tsconfig.build.json', test: 'vitest run', typecheck: 'tsc -p tsconfig.json --noEmit' },
    dependencies: { zod: versions.zod },
    peerDependencies: peers,
    devDependencies: { ...peers, ...Object.fromEntries((source.specUses ?? []).map((p) => [p, versions.anneal])), '@anneal/testing': versions.anneal, '@types/node': versions.typesNode, typescript: versions.typescript, vitest: versions.vitest },
  });
  tree.write(file('src/index.ts'), source.index(o));
  tree.write(file('src/index.spec.ts'), source.spec(o));
  writeJson(tree, file('tsconfig.json'), {
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2023'], strict: true, declaration: true, sourceMap: true, rootDir: 'src', outDir: 'dist', skipLibCheck: true, types: ['node'] },
    include: ['src/**/*.ts'],
  });
  writeJson(tree, file('tsconfig.build.json'), { extends: './tsconfig.json', exclude: ['src/**/*.spec.ts'] });
  tree.write(
    file('vitest.config.ts'),
    `import { defineConfig } from 'vitest/config';

// forks: onnxruntime-node, which the conformance suites run, fails in vitest's vm pools
export default defineConfig({ test: { include: ['src/**/*.spec.ts'], pool: 'forks', testTimeout: 120_000 } });
`,
  );
  tree.write(
    file('README.md'),
    `# ${o.packageName}

An Anneal ${o.kind} plugin, \`${o.id}\`, built with \`${source.helper}\` from \`${source.package}\`.
\`src/index.spec.ts\` runs \`${source.suite}\` from \`@anneal/testing\` on it.

\`\`\`yaml
${source.usage(o)}
\`\`\`

\`\`\`sh
npx nx run ${o.packageName}:test    # the conformance suite
npx nx run ${o.packageName}:build   # dist/, what configs load by package name
\`\`\`
`,
  );
  addProjectConfiguration(tree, o.packageName, { root: o.root, sourceRoot: file('src'), projectType: 'library', tags: ['anneal-plugin', `anneal-${o.kind}`], targets: {} });
  if (!schema.skipFormat) await formatFiles(tree);
}

export default pluginGenerator;
