import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Which attachment URLs from webhooks the appliance fetches (Instagram sends public CDN links, and a
 * signed webhook is still outside input). The rule, in full:
 *
 * 1. On the exact origin (scheme, host, port) of META_GRAPH_URL: fetched as given. That is Meta's Graph
 *    API in production (https://graph.facebook.com) and the local simulator in tests and the demo, which
 *    serves its CDN links from its own origin; its address is not checked (the simulator is on loopback).
 *    The operator already trusts that origin with the access tokens.
 * 2. Otherwise only `https:` on the default port, no user:password@, a host *name* (not an IP literal)
 *    equal to or under one of MEDIA_URL_HOSTS (`fbcdn.net` matches `scontent.xx.fbcdn.net`, not
 *    `fbcdn.net.evil.example`), and every address that name resolves to must be public: loopback,
 *    private, link-local (cloud metadata), CGNAT, multicast, reserved and documentation ranges are
 *    refused. The check runs in the lookup of the very connection being made, so a name that resolves
 *    to a public address once and to 127.0.0.1 when connecting (DNS rebinding) is refused too.
 * 3. Redirects are followed (at most MAX_REDIRECTS), each hop judged by 1 and 2 again.
 *
 * A refusal is a UrlRefused: permanent (the same URL will never become acceptable), so the media is
 * marked failed with code media_url_refused at once, without retries.
 */
export interface MediaUrlPolicy {
  hosts: readonly string[];
  /** META_GRAPH_URL's origin. */
  trustedOrigin: string;
}

export class UrlRefused extends Error {
  readonly code = 'media_url_refused';
}

export const MAX_REDIRECTS = 3;

const blocked = new net.BlockList();
for (const [net4, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net4, prefix, 'ipv4');
for (const [net6, prefix] of [
  ['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23],
  ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(net6, prefix, 'ipv6');

/** A unicast address on the public internet (not loopback, private, link-local, reserved…). */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const hostMatches = (host: string, suffix: string) => host === suffix || host.endsWith(`.${suffix}`);

/** Judges one URL by rules 1 and 2 (before DNS); returns whether its addresses must be checked. */
export function judgeMediaUrl(raw: string, policy: MediaUrlPolicy): { url: URL; checkAddresses: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefused('the attachment URL is not a URL');
  }
  if (url.origin === policy.trustedOrigin) return { url, checkAddresses: false };
  if (url.protocol !== 'https:') throw new UrlRefused(`only https attachment URLs are fetched, not ${url.protocol}`);
  if (url.username || url.password) throw new UrlRefused('the attachment URL carries credentials');
  if (url.port) throw new UrlRefused(`the attachment URL names port ${url.port}; only the default https port is fetched`);
  const host = url.hostname.toLowerCase();
  if (net.isIP(host.replace(/^\[|\]$/g, ''))) throw new UrlRefused(`the attachment URL is an IP address (${host}), not a CDN host`);
  if (!policy.hosts.some((h) => hostMatches(host, h))) {
    throw new UrlRefused(`${host} is not one of the media hosts (MEDIA_URL_HOSTS: ${policy.hosts.join(', ')})`);
  }
  return { url, checkAddresses: true };
}

/** dns.lookup that refuses a name if any of its addresses is not public (rule 2, at connect time). */
const publicOnlyLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad || !addresses.length) {
      return callback(new UrlRefused(`${hostname} resolves to ${bad?.address ?? 'nothing'}, which is not a public address`), '', 0);
    }
    if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

export interface MediaResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

/**
 * GET of an attachment URL under the policy (no credentials or tokens are ever sent). Resolves with
 * the final response, whatever its status; rejects with UrlRefused, or with the network error.
 */
export async function getMediaUrl(raw: string, policy: MediaUrlPolicy, o: { timeoutMs: number }): Promise<MediaResponse> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  let current = raw;
  for (let hop = 0; ; hop++) {
    const { url, checkAddresses } = judgeMediaUrl(current, policy);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const get = url.protocol === 'https:' ? https.get : http.get;
      const req = get(url, { agent: false, signal, ...(checkAddresses ? { lookup: publicOnlyLookup } : {}) }, resolve);
      req.on('error', reject);
    });
    // A late error (the timeout aborting a body nobody reads any more) must not be an unhandled 'error'.
    res.on('error', () => {});
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new UrlRefused(`more than ${MAX_REDIRECTS} redirects`);
      current = new URL(location, url).toString();
      continue;
    }
    return { status, headers: res.headers, body: res };
  }
}
