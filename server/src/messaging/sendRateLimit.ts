import type { Redis } from 'ioredis';

/**
 * Per-connection send pacing shared by every worker process, in Redis. A reservation scheduler (GCRA):
 * Redis keeps the next free send time of the connection; each send takes the next slot, 1/rate apart, so
 * the connection never goes over `rate` sends in a second, whichever process sends. The clock is Redis's
 * own (TIME), so processes with skewed clocks still agree.
 *
 * A slot close enough (within `maxWaitMs`) is reserved and the caller waits for it; a slot further away is
 * not reserved: the caller re-queues the job for later, so a burst waits in the queue instead of holding
 * workers or failing.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local maxWait = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now
if wait > maxWait then return {0, math.ceil(wait)} end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil(wait + interval) + 1000)
return {1, math.ceil(wait)}
`;

export interface SendSlot {
  /** True when a slot was reserved: send after waitMs. False: nothing reserved, try again after waitMs. */
  reserved: boolean;
  waitMs: number;
}

export async function reserveSendSlot(redis: Redis, connectionId: string, ratePerSecond: number, maxWaitMs = 1_000): Promise<SendSlot> {
  const interval = 1000 / Math.max(1, ratePerSecond);
  const [reserved, waitMs] = (await redis.eval(SCRIPT, 1, `atendo:send-rate:${connectionId}`, String(interval), String(maxWaitMs))) as [number, number];
  return { reserved: reserved === 1, waitMs: Number(waitMs) };
}
