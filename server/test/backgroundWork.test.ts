/**
 * The one shape of background work (queues/jobKinds.ts, enqueue.ts, every.ts): every job kind has a
 * processor or the worker does not start; the same work queued twice is one job; a periodic task never
 * overlaps itself, survives its own failures, and with a lock runs once per interval across workers.
 */
import anyTest from 'ava';
import { createLogger } from '#kit/logger.js';
import { enqueue } from '../src/queues/enqueue.js';
import { every } from '../src/queues/every.js';
import { JOB_KIND_NAMES } from '../src/queues/jobKinds.js';
import { assertEveryKindProcessed } from '../src/queues/processors/start.js';
import { startTestAppliance, startLicenseServiceProcess, type LicenseServiceProcess, type TestAppliance } from './support.js';

const test = anyTest.serial;
let service: LicenseServiceProcess;
let app: TestAppliance;
anyTest.before(async () => {
  service = await startLicenseServiceProcess();
  app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
});
anyTest.after.always(async () => { await app?.close(); await service?.close(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the worker refuses to start when a job kind has no processor, naming it', async (t) => {
  const all = Object.fromEntries(JOB_KIND_NAMES.map((k) => [k, async () => {}]));
  t.notThrows(() => assertEveryKindProcessed(all));
  const { send: _send, ...withoutSend } = all;
  t.throws(() => assertEveryKindProcessed(withoutSend), { message: 'job kinds without a processor: send' });
  const worker = await app.startWorker();
  t.truthy(worker, 'the real table is complete: the worker starts');
});

test('the same work queued twice is one job; a retry for later has an id of its own', async (t) => {
  const queue = app.deps.queues!.send;
  const messageId = '00000000-0000-4000-8000-00000000abcd';
  // Delayed a minute, so no worker takes them while they are counted.
  await enqueue(app.deps, 'send', { messageId }, { delayMs: 60_000, key: 'r1' });
  await enqueue(app.deps, 'send', { messageId }, { delayMs: 60_000, key: 'r1' });
  await enqueue(app.deps, 'send', { messageId }, { delayMs: 60_000, key: 'r2' });
  const delayed = (await queue.getJobs('delayed', { start: 0, end: 100 })).filter((j) => j.data.messageId === messageId);
  t.deepEqual(delayed.map((j) => j.id).sort(), [`${messageId}@r1`, `${messageId}@r2`]);
});

test('a periodic task never overlaps itself, keeps running after a failure, and stop() waits for the run in progress', async (t) => {
  const log = createLogger('silent', 't');
  const deps = { ...app.deps, log };
  let running = 0;
  let overlapped = false;
  let runs = 0;
  const task = every(deps, 'test.overlap', 5, async () => {
    runs++;
    running++;
    if (running > 1) overlapped = true;
    await sleep(20); // longer than the interval
    running--;
    if (runs === 2) throw new Error('a bad run');
  }, { immediately: true });
  while (runs < 5) await sleep(10);
  await task.stop();
  t.false(overlapped);
  t.is(running, 0, 'stop() returned after the run in progress ended');
  const after = runs;
  await sleep(50);
  t.is(runs, after, 'no run after stop()');
});

test('with a lock, two workers run a task once per interval between them; wake() runs it at once', async (t) => {
  const log = createLogger('silent', 't');
  const a = { ...app.deps, log };
  const b = { ...app.deps, log };
  const ran: string[] = [];
  const name = `test.locked.${Date.now()}`;
  const first = every(a, name, 60_000, async () => { ran.push('a'); }, { lock: true, immediately: true });
  const second = every(b, name, 60_000, async () => { ran.push('b'); }, { lock: true, immediately: true });
  await sleep(300);
  t.is(ran.length, 1, 'one run in the interval, whichever worker took the lock');
  await app.deps.redis.del(`atendo:every:${name}`); // the interval is over
  first.wake();
  second.wake();
  await sleep(300);
  t.is(ran.length, 2, 'the next interval: again exactly one run');
  await Promise.all([first.stop(), second.stop()]);
});
