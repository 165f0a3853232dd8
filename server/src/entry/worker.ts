import { vendorKeysOrExit } from './vendorKeys.js';
import { runProcess } from '../processes/runProcess.js';
import { startWorker } from '../processes/worker.js';

const trustedKeys = vendorKeysOrExit();
void runProcess('atendo-worker', (config) => startWorker(config, { trustedKeys }));
