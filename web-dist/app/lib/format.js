import { lang } from './i18n.js';

/** "14:05" today, "ontem", a weekday this week, else the date: as chat apps list conversations. @param {string} iso */
export function shortTime(iso) {
  const d = new Date(iso);
  const now = new Date();
  const days = Math.floor((startOfDay(now) - startOfDay(d)) / 86_400_000);
  if (days <= 0) return d.toLocaleTimeString(lang.value, { hour: '2-digit', minute: '2-digit' });
  if (days === 1) return new Intl.RelativeTimeFormat(lang.value, { numeric: 'auto' }).format(-1, 'day');
  if (days < 7) return d.toLocaleDateString(lang.value, { weekday: 'short' });
  return d.toLocaleDateString(lang.value, { day: '2-digit', month: '2-digit', year: days > 300 ? '2-digit' : undefined });
}

/** @param {Date} d */
const startOfDay = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** @param {string} iso */
export const clockTime = (iso) => new Date(iso).toLocaleTimeString(lang.value, { hour: '2-digit', minute: '2-digit' });

/** @param {string} iso */
export const dayLabel = (iso) => {
  const d = new Date(iso);
  const days = Math.floor((startOfDay(new Date()) - startOfDay(d)) / 86_400_000);
  if (days <= 1) return new Intl.RelativeTimeFormat(lang.value, { numeric: 'auto' }).format(-days, 'day');
  return d.toLocaleDateString(lang.value, { weekday: 'long', day: 'numeric', month: 'long' });
};

/** @param {string | null} iso */
export const dateTime = (iso) => (iso ? new Date(iso).toLocaleString(lang.value, { dateStyle: 'medium', timeStyle: 'short' }) : '—');

/** "2 h 05 min" style countdown for banners. @param {number} seconds */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min`;
}

/** @param {number | null} n */
export function bytes(n) {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** @param {number} n */
export const number = (n) => n.toLocaleString(lang.value);

/** A WhatsApp id (digits) as a readable phone: +55 11 98765-4321 for Brazil, +<digits> otherwise. @param {string} id */
export function phone(id) {
  if (!/^\d{8,15}$/.test(id)) return id;
  const br = /^55(\d{2})(\d{4,5})(\d{4})$/.exec(id);
  if (br) return `+55 ${br[1]} ${br[2]}-${br[3]}`;
  return `+${id}`;
}

/** Up to two initials for an avatar. @param {string | null | undefined} name */
export function initials(name) {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return '?';
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? parts[parts.length - 1]?.[0] ?? '' : '')).toUpperCase();
}
