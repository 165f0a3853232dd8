import test from 'ava';
import { canonicalJson } from './canonicalJson.js';

test('keys are sorted at every depth and whitespace is dropped', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
});

test('the same value always gives the same bytes, whatever the key order', (t) => {
  t.is(canonicalJson({ x: 1, y: 'é', z: [] }), canonicalJson({ z: [], y: 'é', x: 1 }));
});

test('non-integers are refused: they have more than one spelling', (t) => {
  t.throws(() => canonicalJson({ a: 1.5 }), { instanceOf: TypeError });
  t.throws(() => canonicalJson({ a: Number.NaN }), { instanceOf: TypeError });
});
