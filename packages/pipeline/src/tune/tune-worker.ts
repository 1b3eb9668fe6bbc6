// Entry of a forked tune worker (see worker-boot.mjs at the package root): argv = [this module, config file, JSON options].
import { createPipeline } from '../pipeline.js';
import { tune, WORKER_ERROR } from './tune.js';

const [, configFile, json] = process.argv.slice(2);
const o = JSON.parse(json ?? '{}') as { storage?: string; trials?: number; parallel?: number; out?: string; baseDir?: string; plugins?: string[] };
const pipeline = await createPipeline({ plugins: o.plugins ?? [], baseDir: o.baseDir, io: { out: (s) => console.log(s), err: (s) => console.error(s) } });
try {
  await tune(pipeline, configFile!, { worker: true, storage: o.storage, trials: o.trials, parallel: o.parallel, out: o.out });
} catch (e) {
  console.error(`${WORKER_ERROR}${(e as Error).name}: ${(e as Error).message}`);
  process.exitCode = 1;
}
