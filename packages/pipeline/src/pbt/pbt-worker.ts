// Entry of a forked pbt worker (see worker-boot.mjs at the package root): argv = [this module, config file, JSON options].
import { createPipeline } from '../pipeline.js';
import { pbt, PBT_WORKER_ERROR } from './pbt.js';

const [, configFile, json] = process.argv.slice(2);
const o = JSON.parse(json ?? '{}') as { storage?: string; out?: string; baseDir?: string; plugins?: string[] };
const pipeline = await createPipeline({ plugins: o.plugins ?? [], baseDir: o.baseDir, io: { out: (s) => console.log(s), err: (s) => console.error(s) } });
try {
  await pbt(pipeline, configFile!, { worker: true, storage: o.storage, out: o.out });
} catch (e) {
  console.error(`${PBT_WORKER_ERROR}${(e as Error).name}: ${(e as Error).message}`);
  process.exitCode = 1;
}
