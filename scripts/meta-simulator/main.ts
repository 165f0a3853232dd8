/**
 * Runs the Meta Graph API simulator standalone for manual use:
 *   npx tsx scripts/meta-simulator/main.ts --port 4600 [--host 127.0.0.1]
 *     [--wa <phoneNumberId>:<accessToken>[:<displayPhoneNumber>]]...  [--ig <accountId>:<accessToken>[:<username>]]...
 * More numbers, accounts, media and failures can be added over HTTP under /_sim/ (see simulator.ts).
 */
import { parseArgs } from 'node:util';
import { startMetaSimulator } from './simulator.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4600' },
    host: { type: 'string', default: '127.0.0.1' },
    wa: { type: 'string', multiple: true, default: [] },
    ig: { type: 'string', multiple: true, default: [] },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got "${values.port}"`);
  process.exit(2);
}

const sim = await startMetaSimulator({ port, host: values.host });
for (const spec of values.wa) {
  const [phoneNumberId, accessToken, displayPhoneNumber] = spec.split(':');
  if (!phoneNumberId || !accessToken) throw new Error(`--wa expects <phoneNumberId>:<accessToken>[:<display>], got "${spec}"`);
  sim.addWhatsAppNumber({ phoneNumberId, accessToken, ...(displayPhoneNumber ? { displayPhoneNumber } : {}) });
  console.log(`WhatsApp number ${phoneNumberId} registered`);
}
for (const spec of values.ig) {
  const [accountId, accessToken, username] = spec.split(':');
  if (!accountId || !accessToken) throw new Error(`--ig expects <accountId>:<accessToken>[:<username>], got "${spec}"`);
  sim.addInstagramAccount({ accountId, accessToken, ...(username ? { username } : {}) });
  console.log(`Instagram account ${accountId} registered`);
}
console.log(`Meta simulator listening on ${sim.url} (Graph calls at ${sim.url}/v23.0/...; sent messages at ${sim.url}/_sim/sent)`);

const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
