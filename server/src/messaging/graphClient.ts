import type { Config } from '../config.js';

/**
 * A refusal or failure from Meta's Graph API, as Meta states it: decisions (retry, reschedule, give up)
 * are taken on `code`, never on the message text. `httpStatus` 0 means Meta was not reached at all.
 */
export class GraphError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly subcode: number | null = null,
    readonly title: string | null = null,
    readonly details: string | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

export interface GraphCall {
  method: 'GET' | 'POST' | 'DELETE';
  /** After the version, e.g. `/123456/messages`. */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  form?: FormData;
  timeoutMs?: number;
}

/** One call to `${META_GRAPH_URL}/${META_GRAPH_VERSION}${path}` with the connection's token. */
export async function graphCall<T = any>(config: Config, accessToken: string, call: GraphCall): Promise<T> {
  const url = new URL(`${config.META_GRAPH_URL}/${config.META_GRAPH_VERSION}${call.path}`);
  for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { authorization: `Bearer ${accessToken}` };
  let body: string | FormData | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.form) {
    body = call.form;
  }
  let res: Response;
  try {
    res = await fetch(url, { method: call.method, headers, body, signal: AbortSignal.timeout(call.timeoutMs ?? 15_000) });
  } catch (err) {
    throw new GraphError(0, -1, `Meta could not be reached: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  let parsed: any = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Proxies and outages answer HTML; the status decides then.
  }
  if (res.ok && parsed && !parsed.error) return parsed as T;
  const e = parsed?.error ?? {};
  const retryAfter = Number(res.headers.get('retry-after'));
  throw new GraphError(
    res.status,
    typeof e.code === 'number' ? e.code : res.status,
    typeof e.message === 'string' ? e.message : `HTTP ${res.status}`,
    typeof e.error_subcode === 'number' ? e.error_subcode : null,
    typeof e.error_user_title === 'string' ? e.error_user_title : null,
    typeof e.error_data?.details === 'string' ? e.error_data.details : typeof e.error_user_msg === 'string' ? e.error_user_msg : null,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}
