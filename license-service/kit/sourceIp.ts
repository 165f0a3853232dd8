import net from 'node:net';

/** One spelling per address: `::ffff:1.2.3.4` is `1.2.3.4`, and IPv6 is in its shortest lowercase form. */
export function canonicalIp(ip: string): string {
  const v = ip.trim();
  if (v.toLowerCase().startsWith('::ffff:') && net.isIPv4(v.slice(7))) return v.slice(7);
  if (net.isIPv6(v)) return new URL(`http://[${v}]`).hostname.slice(1, -1);
  return v;
}

/** Whether a proxy entry is valid: an address or a CIDR range (`172.18.0.0/16`). */
export function isProxyEntry(entry: string): boolean {
  const [addr, bits, ...rest] = entry.split('/');
  if (rest.length || !addr || net.isIP(addr) === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (net.isIPv4(addr) ? 32 : 128);
}

/** Matches the configured trusted proxies: addresses and CIDR ranges (Docker networks move). */
export function trustedProxies(entries: readonly string[]): (ip: string) => boolean {
  const list = new net.BlockList();
  for (const e of entries) {
    const [addr, bits] = e.split('/') as [string, string | undefined];
    const family = net.isIPv4(addr) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(canonicalIp(addr), family);
    else list.addSubnet(canonicalIp(addr), Number(bits), family);
  }
  return (ip) => net.isIP(ip) !== 0 && list.check(ip, net.isIPv4(ip) ? 'ipv4' : 'ipv6');
}

/**
 * The client's address: the socket peer, or — only when that peer is a trusted proxy — the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy. A client cannot pick the IP it is bound to
 * by sending a header.
 */
export function sourceIp(socketAddress: string | undefined, forwardedFor: string | undefined, isTrusted: (ip: string) => boolean): string {
  const peer = canonicalIp(socketAddress ?? '');
  if (!forwardedFor || !isTrusted(peer)) return peer;
  const hops = forwardedFor.split(',').map((h) => h.trim()).filter((h) => net.isIP(h) !== 0).map(canonicalIp);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isTrusted(hops[i]!)) return hops[i]!;
  }
  return peer;
}
