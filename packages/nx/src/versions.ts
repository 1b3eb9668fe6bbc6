import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** This package's version; every @anneal/* package is released with the same one. */
export const annealVersion: string = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

/** Versions the generated projects ask for (those the Anneal packages are built and tested with). */
export const versions = {
  anneal: `^${annealVersion}`,
  zod: '^4.1.0',
  vitest: '^4.1.11',
  typescript: '~5.9.3',
  typesNode: '^20.19.0',
} as const;
