/**
 * Meta's Graph API for the bots benchmark, in its own process so that answering the appliance's sends
 * does not take the load generator's CPU (and its CPU is counted apart): scripts/meta-simulator as the
 * tests use it, with the benchmark's WhatsApp numbers. Started by scripts/bench/bots.ts with IPC.
 *
 * parent → child: { type: 'start', numbers: [{ phoneNumberId, accessToken }] }  then  { type: 'close' }
 * child → parent: { type: 'listening', url }
 *                 { type: 'sends', items: [to, receivedAtEpochMs, …] } every 20 ms while there are any
 *
 * A send's time is when its request reached the simulator (the simulator's call record), so the
 * parent's webhook-to-send latency ends when Meta would have had the message.
 */
import { startMetaSimulator, type MetaSimulator } from '../../meta-simulator/simulator.js';

interface StartMsg { type: 'start'; numbers: Array<{ phoneNumberId: string; accessToken: string }> }
type ParentMsg = StartMsg | { type: 'close' };

let sim: MetaSimulator | null = null;
let timer: NodeJS.Timeout | null = null;

function collect(s: MetaSimulator): void {
  // The call record has the arrival time; accepted sends are recorded in the same order, one per call.
  const calls = s.calls.splice(0);
  const sent = s.sent.splice(0);
  if (!sent.length) return;
  const arrivals = new Map<string, number[]>();
  for (const c of calls) {
    const to = c.method === 'POST' && /\/messages$/.test(c.path) && typeof c.body?.to === 'string' && c.body?.status === undefined ? c.body.to : null;
    if (to) (arrivals.get(to) ?? arrivals.set(to, []).get(to)!).push(c.at);
  }
  const items: Array<string | number> = [];
  for (const m of sent) items.push(m.to, arrivals.get(m.to)?.shift() ?? Date.now());
  process.send?.({ type: 'sends', items });
}

process.on('message', (m: ParentMsg) => {
  void (async () => {
    if (m.type === 'start') {
      sim = await startMetaSimulator({ host: '127.0.0.1' });
      for (const n of m.numbers) sim.addWhatsAppNumber(n);
      timer = setInterval(() => collect(sim!), 20);
      process.send?.({ type: 'listening', url: sim.url });
    } else if (m.type === 'close') {
      if (timer) clearInterval(timer);
      if (sim) { collect(sim); await sim.close(); }
      process.exit(0);
    }
  })().catch((err) => {
    process.stderr.write(`bench simulator: ${(err as Error).stack}\n`);
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
