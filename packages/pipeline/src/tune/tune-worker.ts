// Entry of a forked tune worker (see worker-boot.mjs at the package root): argv = [this module, config file, JSON options].
import { workerMain } from '../worker-main.js';
import { tune, WORKER_ERROR } from './tune.js';

await workerMain(WORKER_ERROR, (pipeline, configFile, o) => tune(pipeline, configFile, { worker: true, storage: o.storage, trials: o.trials, parallel: o.parallel, out: o.out }));
