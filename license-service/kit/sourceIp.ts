import net from 'node:net';

/** `::ffff:1.2.3.4` and `1.2.3.4` are the same client. */
export function normalizeIp(ip: string): string {
  const v = ip.trim();
  if (v.startsWith('::ffff:') && net.isIPv4(v.slice(7))) return v.slice(7);
  return v.toLowerCase();
}

/**
 * The client's address: the socket peer, or — only when that peer is a configured trusted proxy — the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy. A client cannot pick the IP it is
 * bound to by sending a header.
 */
export function sourceIp(socketAddress: string | undefined, forwardedFor: string | undefined, trusted: readonly string[]): string {
  const peer = normalizeIp(socketAddress ?? '');
  if (!forwardedFor || !trusted.includes(peer)) return peer;
  const hops = forwardedFor.split(',').map(normalizeIp).filter((h) => net.isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trusted.includes(hops[i]!)) return hops[i]!;
  }
  return peer;
}
