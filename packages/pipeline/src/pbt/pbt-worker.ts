// Entry of a forked pbt worker (see worker-boot.mjs at the package root): argv = [this module, config file, JSON options].
import { workerMain } from '../worker-main.js';
import { pbt, PBT_WORKER_ERROR } from './pbt.js';

await workerMain(PBT_WORKER_ERROR, (pipeline, configFile, o) => pbt(pipeline, configFile, { worker: true, storage: o.storage, out: o.out }));
