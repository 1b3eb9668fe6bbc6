#!/usr/bin/env node
// Adds the `.js` extension Node's ESM resolution (and TypeScript's `nodenext`) needs to every
// relative import of the workspace's TypeScript sources: `./x` -> `./x.js` (or `./x/index.js`),
// `./x.ts` -> `./x.js`. Idempotent; run it after merging code written with extensionless imports.
// Usage: node tools/setup/fix-imports.mjs [--check]
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');
const skip = new Set(['node_modules', 'dist', '.nx', 'runs', 'coverage', 'fixtures']);

function* tsFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (/\.(ts|mts|tsx)$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

const pattern = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*)\2/g;
let changed = 0;
const problems = [];
for (const top of ['packages', 'apps', 'tools', 'examples']) {
  const base = join(root, top);
  if (!existsSync(base)) continue;
  for (const file of tsFiles(base)) {
    const text = readFileSync(file, 'utf8');
    const next = text.replace(pattern, (all, head, quote, spec) => {
      if (/\.(js|mjs|cjs|json|node)$/.test(spec)) return all;
      const at = resolve(dirname(file), spec);
      let out;
      if (spec.endsWith('.ts')) out = spec.slice(0, -3) + '.js';
      else if (existsSync(`${at}.ts`) || existsSync(`${at}.tsx`)) out = `${spec}.js`;
      else if (existsSync(join(at, 'index.ts'))) out = `${spec}/index.js`;
      else {
        problems.push(`${file}: cannot resolve '${spec}'`);
        return all;
      }
      return `${head}${quote}${out}${quote}`;
    });
    if (next !== text) {
      changed++;
      if (!check) writeFileSync(file, next);
    }
  }
}
for (const p of problems) console.error(p);
if (check && changed) {
  console.error(`${changed} file(s) have relative imports without the .js extension; run node tools/setup/fix-imports.mjs`);
  process.exit(1);
}
console.log(`${check ? 'checked' : 'rewrote'} ${changed} file(s)${problems.length ? `, ${problems.length} unresolved` : ''}`);
