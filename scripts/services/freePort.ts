export { freePort } from '../../installer/src/freePort.js';
