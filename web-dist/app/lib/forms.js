import { t } from './i18n.js';

/**
 * Our own form validation. Forms carry `novalidate`, so the browser never shows its bubbles (they speak
 * the browser's language, not the person's: Chromium says "Please lengthen this text…" in English on a
 * pt-BR dashboard). The rules stay where they were, as the fields' own attributes (required, minlength,
 * type=email, pattern, min/max), and this reads them on submit and answers in our words.
 */

/** @typedef {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} Field */

const watched = new WeakSet();

/**
 * Checks every field of a form; marks the failing ones (`aria-invalid`), moves focus to the first and
 * returns its message, or null when all pass. A mark goes as soon as the field is edited.
 * @param {HTMLFormElement} form
 * @returns {string | null}
 */
export function checkForm(form) {
  if (!watched.has(form)) {
    watched.add(form);
    form.addEventListener('input', (e) => /** @type {Element} */ (e.target).removeAttribute?.('aria-invalid'));
  }
  /** @type {{ field: Field, message: string } | null} */
  let first = null;
  for (const el of Array.from(form.elements)) {
    if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)) continue;
    if (el.disabled || (el instanceof HTMLInputElement && (el.readOnly || el.type === 'hidden'))) continue;
    const message = fieldProblem(el);
    if (message) {
      el.setAttribute('aria-invalid', 'true');
      first ??= { field: el, message };
    } else {
      el.removeAttribute('aria-invalid');
    }
  }
  if (!first) return null;
  first.field.focus();
  return first.message;
}

/**
 * What is wrong with one field, in our words, or null.
 * @param {Field} el
 * @returns {string | null}
 */
export function fieldProblem(el) {
  const value = el.value;
  const field = labelOf(el);
  if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) return null;
  if (el.required && !value.trim()) return t('form.required', { field });
  if (!value) return null;
  if (!(el instanceof HTMLSelectElement)) {
    // Read from the attributes, not `validity.tooShort`: browsers only flag that after a person types.
    if (el.minLength > 0 && value.length < el.minLength) return t('form.tooShort', { field, min: el.minLength, n: value.length });
    if (el.maxLength > 0 && value.length > el.maxLength) return t('form.tooLong', { field, max: el.maxLength });
  }
  if (el instanceof HTMLInputElement) {
    if (el.type === 'email' && el.validity.typeMismatch) return t('form.email', { field });
    if (el.validity.badInput || el.validity.stepMismatch) return t('form.number', { field });
    if (el.validity.rangeUnderflow || el.validity.rangeOverflow) return t('form.range', { field, min: el.min, max: el.max });
    if (el.validity.patternMismatch) return t('form.pattern', { field });
  }
  return null;
}

/** The field's visible name: its label's caption (without "optional"), else aria-label, else name. @param {Field} el */
function labelOf(el) {
  const label = el.labels?.[0];
  const caption = label?.querySelector(':scope > span') ?? label;
  if (caption) {
    const copy = /** @type {HTMLElement} */ (caption.cloneNode(true));
    copy.querySelectorAll('em, small, input, select, textarea, button').forEach((x) => x.remove());
    const text = copy.textContent?.trim();
    if (text) return text;
  }
  return el.getAttribute('aria-label') ?? el.name;
}
