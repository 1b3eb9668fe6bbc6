// Fuzzing helpers: seeded generators of malformed inputs and a runner that classifies what the
// code under test did with each (typed error, correct result, raw error, hang, silent wrong).
export { fuzzRandom, type FuzzRandom } from './random.js';
export { uniqueMutants, type Mutant } from './mutant.js';
export { truncations, evenBoundaries, bitFlips, byteEdits, integerFieldEdits, chunkEdits, appended, concat } from './byte-mutations.js';
export { textTruncations, charEdits, lineEdits, tokenReplacements } from './text-mutations.js';
export { jsonFieldMutations, duplicateKeyTexts, WEIRD_JSON_VALUES } from './json-mutations.js';
export { runFuzz, fuzzSummary, describeError, type FuzzOutcome, type FuzzCaseResult, type FuzzReport, type FuzzTarget } from './fuzz-run.js';
export { namesFile } from './names-file.js';
