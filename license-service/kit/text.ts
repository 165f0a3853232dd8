/**
 * The one rule for text that comes from outside (API bodies, query strings, webhooks), applied at the
 * edge so PostgreSQL can always store it: U+0000 is removed (text and jsonb cannot hold it) and an
 * unpaired UTF-16 surrogate becomes U+FFFD (jsonb and UTF-8 cannot encode it). Everything else is kept
 * as it was: the text is the customer's, not ours to rewrite.
 */
export function cleanText(s: string): string {
  const noNul = s.includes('\u0000') ? s.replaceAll('\u0000', '') : s;
  return noNul.isWellFormed() ? noNul : noNul.toWellFormed();
}

export interface CleanOptions {
  /** Objects and arrays deeper than this are cut (replaced by null); see `cut`. */
  maxDepth: number;
}

export interface Cleaned<T> {
  value: T;
  /** True when something was nested deeper than maxDepth and was replaced by null. */
  cut: boolean;
}

/**
 * cleanText over every string and object key of a parsed JSON value, without recursion (a 5,000-level
 * body must not overflow the stack), cutting what is nested deeper than `maxDepth`.
 */
export function cleanJson<T>(input: T, opts: CleanOptions): Cleaned<T> {
  if (typeof input === 'string') return { value: cleanText(input) as T, cut: false };
  if (typeof input !== 'object' || input === null) return { value: input, cut: false };
  let cut = false;
  const root: { v: unknown } = { v: undefined };
  // Each frame: a source container, the depth it sits at, and how to store its cleaned copy.
  const stack: Array<{ src: unknown; depth: number; put: (v: unknown) => void }> = [
    { src: input, depth: 1, put: (v) => { root.v = v; } },
  ];
  while (stack.length) {
    const { src, depth, put } = stack.pop()!;
    if (typeof src === 'string') { put(cleanText(src)); continue; }
    if (typeof src !== 'object' || src === null) { put(src); continue; }
    if (depth > opts.maxDepth) { cut = true; put(null); continue; }
    if (Array.isArray(src)) {
      const out: unknown[] = new Array(src.length);
      put(out);
      for (let i = src.length - 1; i >= 0; i--) stack.push({ src: src[i], depth: depth + 1, put: (v) => { out[i] = v; } });
    } else {
      const out: Record<string, unknown> = {};
      put(out);
      // Pushed last-first so that they are taken, and their keys set, in the original order.
      for (const [k, item] of Object.entries(src as Record<string, unknown>).reverse()) {
        const key = cleanText(k);
        stack.push({ src: item, depth: depth + 1, put: (v) => { out[key] = v; } });
      }
    }
  }
  return { value: root.v as T, cut };
}
