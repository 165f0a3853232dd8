import test from 'ava';
import { canonicalIp, isProxyEntry, sourceIp, trustedProxies } from './sourceIp.js';

const none = trustedProxies([]);

test('without a trusted proxy, the socket address is the client, whatever the headers say', (t) => {
  t.is(sourceIp('::ffff:10.0.0.5', '203.0.113.1', none), '10.0.0.5');
  t.is(sourceIp('10.0.0.5', '203.0.113.1', trustedProxies(['10.0.0.9'])), '10.0.0.5');
});

test('behind a trusted proxy, the right-most untrusted hop is the client', (t) => {
  const proxy = trustedProxies(['10.0.0.9']);
  t.is(sourceIp('10.0.0.9', '198.51.100.2, 203.0.113.1', proxy), '203.0.113.1');
  t.is(sourceIp('10.0.0.9', '203.0.113.1, 10.0.0.8', trustedProxies(['10.0.0.9', '10.0.0.8'])), '203.0.113.1');
  t.is(sourceIp('10.0.0.9', 'garbage, 203.0.113.1', proxy), '203.0.113.1');
  t.is(sourceIp('10.0.0.9', 'garbage', proxy), '10.0.0.9');
});

test('trusted proxies may be CIDR ranges (a Docker network), IPv4 or IPv6', (t) => {
  const docker = trustedProxies(['172.18.0.0/16', 'fd00::/8']);
  t.is(sourceIp('172.18.3.7', '203.0.113.1', docker), '203.0.113.1');
  t.is(sourceIp('::ffff:172.18.3.7', '203.0.113.1', docker), '203.0.113.1');
  t.is(sourceIp('fd12::5', '2001:db8::0:1', docker), '2001:db8::1');
  t.is(sourceIp('172.19.0.1', '203.0.113.1', docker), '172.19.0.1');
});

test('addresses have one spelling, and proxy entries are checked', (t) => {
  t.is(canonicalIp('2001:DB8:0:0::0:1'), '2001:db8::1');
  t.is(canonicalIp('::ffff:127.0.0.1'), '127.0.0.1');
  t.true(isProxyEntry('10.0.0.0/8'));
  t.true(isProxyEntry('::1'));
  t.false(isProxyEntry('10.0.0.0/33'));
  t.false(isProxyEntry('proxy.local'));
});
