import type { Deps } from '../deps.js';
import { clockSkew, replayedRequest } from '../errors.js';

/**
 * A signed request is fresh when its timestamp is within the allowed skew of the service clock and its
 * nonce has not been seen for this signer in that window. Nonces are kept in Redis for twice the skew,
 * longer than any timestamp that could still pass, so a captured request can never be replayed.
 * Returns the error to raise, or null when fresh.
 */
export async function checkFreshness(deps: Deps, scope: string, timestamp: string, nonce: string) {
  const now = deps.now();
  const skewMs = deps.config.MAX_CLOCK_SKEW_SECONDS * 1000;
  const at = Date.parse(timestamp);
  if (Number.isNaN(at) || Math.abs(now.getTime() - at) > skewMs) return clockSkew(now);
  const fresh = await deps.redis.set(`ls:nonce:${scope}:${nonce}`, '1', 'EX', deps.config.MAX_CLOCK_SKEW_SECONDS * 2, 'NX');
  return fresh === 'OK' ? null : replayedRequest();
}
