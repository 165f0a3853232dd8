import test from 'ava';
import { checkLicenseKey, generateLicenseKey, hashLicenseKey, licenseKeySuffix } from './licenseKey.js';

test('generated keys are well-formed, distinct and pass their own check', (t) => {
  const keys = new Set(Array.from({ length: 2000 }, generateLicenseKey));
  t.is(keys.size, 2000);
  for (const k of keys) {
    t.regex(k, /^ATD(-[0-9A-HJKMNP-TV-Z]{5}){5}$/);
    t.deepEqual(checkLicenseKey(k), { ok: true, normalized: k });
  }
});

test('keys are read the way people type them: case, spaces and look-alike letters do not matter', (t) => {
  const k = generateLicenseKey();
  const typed = ` ${k.toLowerCase().replace(/-/g, ' ')} `;
  t.deepEqual(checkLicenseKey(typed), { ok: true, normalized: k });
  const withO = k.replace(/0/g, 'O');
  t.deepEqual(checkLicenseKey(withO), { ok: true, normalized: k });
});

test('every single-character typo and every swap of neighbours is caught offline', (t) => {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let missed = 0;
  let tried = 0;
  for (let n = 0; n < 20; n++) {
    const k = generateLicenseKey();
    const chars = k.replace(/-/g, '').slice(3).split('');
    for (let i = 0; i < chars.length; i++) {
      for (const c of alphabet) {
        if (c === chars[i]) continue;
        const typo = [...chars];
        typo[i] = c;
        tried++;
        if (checkLicenseKey(`ATD${typo.join('')}`).ok) missed++;
      }
      if (i + 1 < chars.length && chars[i] !== chars[i + 1]) {
        const swap = [...chars];
        [swap[i], swap[i + 1]] = [swap[i + 1]!, swap[i]!];
        tried++;
        if (checkLicenseKey(`ATD${swap.join('')}`).ok) missed++;
      }
    }
  }
  // Guaranteed by the CRC (bursts of up to 20 bits), not by luck.
  t.true(tried > 15_000);
  t.is(missed, 0);
});

test('malformed input is refused with a reason', (t) => {
  t.deepEqual(checkLicenseKey(''), { ok: false, reason: 'format' });
  t.deepEqual(checkLicenseKey('XYZ-12345'), { ok: false, reason: 'format' });
  t.deepEqual(checkLicenseKey('ATD-UUUUU-UUUUU-UUUUU-UUUUU-UUUUU'), { ok: false, reason: 'format' });
  t.deepEqual(checkLicenseKey('x'.repeat(500)), { ok: false, reason: 'format' });
});

test('the stored hash and suffix are stable and do not contain the key', (t) => {
  const k = generateLicenseKey();
  t.is(hashLicenseKey(k), hashLicenseKey(k));
  t.false(hashLicenseKey(k).includes(k));
  t.is(licenseKeySuffix(k), k.slice(-5));
});
