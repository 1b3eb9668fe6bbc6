import { exportDescriptors, type KindSource } from './kind-source.js';

/** A journal storage with a file name of its own in the study folder. */
export const storage: KindSource = {
  package: '@anneal/search',
  helper: 'defineStorage',
  suite: 'describeStorageConformance',
  uses: [],
  index: (n) => `import { join } from 'node:path';
import { defineStorage, JournalStorage } from '@anneal/search';
import { z } from 'zod';

/**
 * The study as an append-only journal file named \`file\` in the study folder (safe for several
 * worker processes on one machine). A storage of your own implements the Storage contract of
 * @anneal/search; the conformance suite checks transitions, claims, heartbeats and stale trials.
 */
export const ${n.constant} = defineStorage({
  id: '${n.id}',
  description: 'a journal file in the study folder',
  options: z.strictObject({ file: z.string().min(1).default('trials.jsonl') }),
  create: (o, ctx) => new JournalStorage(join(ctx.dir, o.file)),
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describeStorageConformance } from '@anneal/testing';
import { ${n.constant} } from './index.js';

describeStorageConformance(${n.constant}, { valid: [{}], invalid: [{ file: '' }, { path: 'x.jsonl' }] });
`,
  usage: (n) => `# in a tune config\nstorage: { type: ${n.id}, package: ${n.packageName}, file: trials.jsonl }`,
};
