import { vendorKeysOrExit } from './vendorKeys.js';
import { runProcess } from '../processes/runProcess.js';
import { startWeb } from '../processes/web.js';

const trustedKeys = vendorKeysOrExit();
void runProcess('atendo-web', (config) => startWeb(config, { trustedKeys }));
