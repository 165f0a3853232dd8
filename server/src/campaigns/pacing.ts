import type { Redis } from 'ioredis';
import type { Config } from '../config.js';

/** Meta holds a number that is also used in the WhatsApp Business app (coexistence) at 20 messages per second. */
export const COEXISTENCE_RATE_PER_SECOND = 20;

/** A number's messages per second: its own setting or the appliance's (80), never above 20 for coexistence. */
export function numberRatePerSecond(row: { send_rate_per_second: number | null; coexistence?: boolean | null }, config: Pick<Config, 'SEND_RATE_PER_SECOND'>): number {
  const rate = row.send_rate_per_second ?? config.SEND_RATE_PER_SECOND;
  return row.coexistence ? Math.min(rate, COEXISTENCE_RATE_PER_SECOND) : rate;
}

/** A campaign's pace: its own rate when set, within the number's. */
export function campaignRatePerSecond(campaignRate: number | null, numberRate: number): number {
  return Math.max(1, Math.min(campaignRate ?? numberRate, numberRate));
}

/**
 * The campaign's pacer, shared by every worker, in Redis: a reservation scheduler (GCRA) handing out send
 * times 1/rate apart, at most `horizonMs` ahead of now. A dispatcher asks for `want` slots and gets the
 * times of those it may use (fewer when the horizon is full); each message is due at its slot
 * (messages.next_attempt_at), so the send worker hands it to Meta then — paced message by message, not a
 * batch and a fixed sleep. Unused slots go back (`release`) when fewer rows were claimable.
 * Times are Redis's (TIME), returned as offsets from now so callers add them to their own clock.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
-- slots at tat, tat + interval, … up to now + horizon (the one at tat itself included)
local room = 0
if tat <= now + horizon then room = math.floor((now + horizon - tat) / interval) + 1 end
local n = math.min(want, room)
if n < 1 then return {0, tostring(tat - now)} end
redis.call('SET', KEYS[1], tostring(tat + n * interval), 'PX', math.ceil(tat + n * interval - now + 60000))
return {n, tostring(tat - now), tostring(tat + n * interval)}
`;
/** Gives back the last `n` slots if nobody reserved after them. */
const RELEASE = `
local cur = redis.call('GET', KEYS[1])
if cur and tonumber(cur) == tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], tostring(tonumber(ARGV[1]) - tonumber(ARGV[2]) * tonumber(ARGV[3])), 'KEEPTTL')
  return 1
end
return 0
`;

export interface Slots {
  /** Offsets from now (ms) of each slot granted, ascending. */
  offsetsMs: number[];
  release(unused: number): Promise<void>;
}

export async function reserveSlots(redis: Redis, key: string, ratePerSecond: number, want: number, horizonMs: number): Promise<Slots> {
  const interval = 1000 / Math.max(1, ratePerSecond);
  const [n, first, end] = (await redis.eval(RESERVE, 1, key, String(interval), String(horizonMs), String(want))) as [number, string, string?];
  const start = Number(first);
  const offsetsMs = Array.from({ length: Number(n) }, (_, i) => Math.max(0, start + i * interval));
  return {
    offsetsMs,
    release: async (unused) => {
      if (unused <= 0 || !offsetsMs.length) return;
      if (!end) return;
      await redis.eval(RELEASE, 1, key, end, String(unused), String(interval)).catch(() => {});
    },
  };
}

export const pacerKey = (campaignId: string) => `atendo:campaign-pace:${campaignId}`;
