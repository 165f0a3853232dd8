import { isDefinitiveLicenseError } from '#protocol/errorCodes.js';
import { SIGNATURE_HEADER } from '#protocol/requestSigning.js';

/** One answer of the license service, or the reason there was none. */
export type ServiceAnswer =
  | { kind: 'ok'; body: any }
  | { kind: 'refused'; status: number; code: string; message: string; definitive: boolean; details: Record<string, unknown> }
  | { kind: 'unreachable'; message: string };

/** Posts a signed body with a timeout. Network errors, timeouts and 5xx are 'unreachable' (transient). */
export async function postSigned(url: string, body: string, signature: string, timeoutMs = 15_000): Promise<ServiceAnswer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { kind: 'unreachable', message: `cannot reach ${new URL(url).origin}: ${(err as Error).message}` };
  }
  const text = await res.text().catch(() => '');
  let json: any = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  if (res.ok && json) return { kind: 'ok', body: json };
  if (res.status >= 500 || !json?.error?.code) {
    return { kind: 'unreachable', message: `license service answered ${res.status}` };
  }
  const { code, message, ...details } = json.error as { code: string; message: string };
  return { kind: 'refused', status: res.status, code, message, definitive: isDefinitiveLicenseError(code), details };
}

/** Longest vendor reason the appliance keeps and shows (the service accepts up to 500 characters). */
export const VENDOR_REASON_MAX = 300;

/**
 * The vendor's reason sent with a refusal (`error.reason`, PROTOCOL.md), made safe to store and show:
 * one line of well-formed text without control characters, cut to VENDOR_REASON_MAX. Null when absent.
 */
export function vendorReasonOf(details: Record<string, unknown>): string | null {
  const raw = details.reason;
  if (typeof raw !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  const text = raw.toWellFormed().replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (!text) return null;
  return text.length > VENDOR_REASON_MAX ? `${text.slice(0, VENDOR_REASON_MAX - 1)}…` : text;
}
