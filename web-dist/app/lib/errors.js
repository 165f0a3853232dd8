import { ApiError } from './api.js';
import { hasKey, t, tDynamic } from './i18n.js';

/**
 * What to tell a person about a failed call: the translation of its stable code when we have one,
 * else the server's own message with the code, so support can find it.
 * @param {unknown} err
 */
export function errorText(err) {
  if (err instanceof ApiError) {
    const key = `error.${err.code}`;
    if (hasKey(key)) return tDynamic(key, { ...stringify(err.details), message: err.message });
    if (err.code.startsWith('plan_quota_')) return t('error.plan_quota_messages', stringify(err.details));
    return err.message ? `${err.message} (${err.code})` : t('error.unknown', { code: err.code });
  }
  return t('error.unknown', { code: err instanceof Error ? err.message : 'client' });
}

/** @param {Record<string, unknown>} details */
function stringify(details) {
  /** @type {Record<string, string | number>} */
  const out = {};
  for (const [k, v] of Object.entries(details)) if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return out;
}
