import test from 'ava';
import { sourceIp } from './sourceIp.js';

test('without a trusted proxy, the socket address is the client, whatever the headers say', (t) => {
  t.is(sourceIp('::ffff:10.0.0.5', '203.0.113.1', []), '10.0.0.5');
  t.is(sourceIp('10.0.0.5', '203.0.113.1', ['10.0.0.9']), '10.0.0.5');
});

test('behind a trusted proxy, the right-most untrusted hop is the client', (t) => {
  t.is(sourceIp('10.0.0.9', '198.51.100.2, 203.0.113.1', ['10.0.0.9']), '203.0.113.1');
  t.is(sourceIp('10.0.0.9', '203.0.113.1, 10.0.0.8', ['10.0.0.9', '10.0.0.8']), '203.0.113.1');
  t.is(sourceIp('10.0.0.9', 'garbage, 203.0.113.1', ['10.0.0.9']), '203.0.113.1');
  t.is(sourceIp('10.0.0.9', 'garbage', ['10.0.0.9']), '10.0.0.9');
});
