/** The admin API client: bearer token, JSON in and out, a timeout, and errors the CLI can print. */

/** The service answered with an error: printed as `error: <code>: <message>`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** The service could not be reached (refused, DNS, timeout). */
export class NetworkError extends Error {
  constructor(readonly url: string, readonly reason: string) {
    super(`could not reach the license service at ${url}: ${reason}`);
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export class AdminApi {
  private readonly base: string;

  constructor(
    readonly serviceUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 15_000,
  ) {
    this.base = `${serviceUrl.replace(/\/+$/, '')}/admin/v1`;
  }

  get<T = any>(route: string, query: Query = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return this.request<T>('GET', qs ? `${route}?${qs}` : route);
  }

  post<T = any>(route: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', route, body);
  }

  patch<T = any>(route: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', route, body);
  }

  private async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new NetworkError(this.serviceUrl, describeFetchError(err, this.timeoutMs));
    }
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = json?.error;
      if (e && typeof e.code === 'string') throw new ApiError(res.status, e.code, String(e.message ?? ''));
      throw new ApiError(res.status, `http_${res.status}`, (text.trim().slice(0, 200) || res.statusText) + ` (${method} ${route})`);
    }
    if (json === undefined) throw new ApiError(res.status, 'bad_response', `the service did not answer JSON to ${method} ${route}`);
    return json as T;
  }
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${Math.round(timeoutMs / 1000)}s`;
  }
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.message || cause?.code || (err instanceof Error ? err.message : String(err));
}
