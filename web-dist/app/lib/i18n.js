import { signal } from '@preact/signals';
import core from '../i18n/core.js';
import inbox from '../i18n/inbox.js';
import admin from '../i18n/admin.js';
import flows from '../i18n/flows.js';
import businessHours from '../i18n/businessHours.js';
import schedules from '../i18n/schedules.js';
import campaigns from '../i18n/campaigns.js';
import contacts from '../i18n/contacts.js';

/**
 * The one translation table: every string the dashboard shows is a key here. Each section file
 * declares pt-BR first and types the English side after it, so tsc refuses a missing translation.
 */
const table = {
  'pt-BR': { ...core.pt, ...inbox.pt, ...admin.pt, ...flows.pt, ...businessHours.pt, ...schedules.pt, ...campaigns.pt, ...contacts.pt },
  en: { ...core.en, ...inbox.en, ...admin.en, ...flows.en, ...businessHours.en, ...schedules.en, ...campaigns.en, ...contacts.en },
};

/** @typedef {keyof typeof table['pt-BR']} MessageKey */
/** @typedef {keyof typeof table} Lang */

/** @type {Lang[]} */
export const LANGS = ['pt-BR', 'en'];
const STORAGE_KEY = 'atendo.lang';

/** @returns {Lang} */
function initialLang() {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === 'en' || saved === 'pt-BR' ? saved : 'pt-BR';
}

/** Portuguese unless the person chose English on this device. */
export const lang = signal(initialLang());

/** @param {Lang} next */
export function setLang(next) {
  lang.value = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}
document.documentElement.lang = lang.value;

/**
 * The text for a key in the current language, with `{name}` placeholders filled in.
 * @param {MessageKey} key
 * @param {Record<string, string | number>} [params]
 */
export function t(key, params) {
  const text = table[lang.value][key] ?? table['pt-BR'][key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/**
 * Picks `one` or `other` by the count, in the current language's plural rules (Intl.PluralRules),
 * with one correction: CLDR files 0 under "one" for Portuguese, but Brazilian usage writes the plural
 * ("0 membros", "0 conversas", like "zero graus"), so zero always takes `other`, as in English.
 * @param {number} count
 * @param {MessageKey} one
 * @param {MessageKey} other
 */
export function plural(count, one, other) {
  return t(pluralCategory(count) === 'one' ? one : other, { count: count.toLocaleString(lang.value) });
}

/** @type {Map<string, Intl.PluralRules>} */
const rules = new Map();
/** The plural category of a count in the current language (zero counts as plural). @param {number} count */
export function pluralCategory(count) {
  if (count === 0) return 'other';
  let r = rules.get(lang.value);
  if (!r) rules.set(lang.value, (r = new Intl.PluralRules(lang.value)));
  return r.select(count);
}

/** Does the table have this key? For codes from the server (error codes, states). @param {string} key */
export function hasKey(key) {
  return key in table['pt-BR'];
}

/** @param {string} key @param {Record<string, string | number>} [params] */
export function tDynamic(key, params) {
  return hasKey(key) ? t(/** @type {MessageKey} */ (key), params) : key;
}
