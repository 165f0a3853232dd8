import { csvInvalid } from './errors.js';

/**
 * Spreadsheets as people export them: UTF-8 with or without a BOM (Google Sheets, LibreOffice), UTF-16
 * with a BOM (Excel's "Unicode text"), or Windows-1252 (Excel's "CSV" on a Brazilian Windows); comma,
 * semicolon (Excel with a comma decimal separator) or tab; RFC 4180 quotes with "" inside, fields across
 * lines, CRLF, LF or CR line ends. Line numbers are the ones a person sees in an editor (header = 1).
 */

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type CsvSeparator = ',' | ';' | '\t';

export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // Not UTF-8: Latin-1 as Windows writes it (WHATWG's windows-1252, a superset of ISO-8859-1's letters).
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

const SEPARATORS: CsvSeparator[] = [';', ',', '\t'];

/**
 * The separator that splits the first lines into the same number of fields (more than one), the most
 * fields winning; otherwise the one most frequent in the header. Quotes are respected.
 */
export function detectSeparator(text: string): CsvSeparator {
  const head = text.slice(0, 64 * 1024);
  let best: { sep: CsvSeparator; score: number } = { sep: ',', score: 0 };
  for (const sep of SEPARATORS) {
    let records: string[][];
    try {
      records = parseRecords(head, sep, 10, true).map((r) => r.fields);
    } catch {
      continue;
    }
    if (!records.length) continue;
    const n = records[0]!.length;
    const consistent = n > 1 && records.every((r) => r.length === n);
    const score = consistent ? n * 1000 : n;
    if (score > best.score) best = { sep, score };
  }
  return best.sep;
}

export interface CsvRecord {
  /** The line the record starts on (1 = the header). */
  line: number;
  fields: string[];
}

/** Every record of the text (blank lines skipped); `csv_invalid` with the line for a broken quote. */
export function parseCsv(text: string, sep: CsvSeparator, limit = Infinity): CsvRecord[] {
  return parseRecords(text, sep, limit, false);
}

function parseRecords(text: string, sep: CsvSeparator, limit: number, lenientEnd: boolean): CsvRecord[] {
  const records: CsvRecord[] = [];
  const SEP = sep.charCodeAt(0);
  const QUOTE = 34, CR = 13, LF = 10, SPACE = 32, TAB = 9;
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n && records.length < limit) {
    const start = line;
    const fields: string[] = [];
    let atEnd = false;
    while (!atEnd) {
      // One field: skip leading blanks, then quoted or plain.
      let j = i;
      while (j < n && (text.charCodeAt(j) === SPACE || (text.charCodeAt(j) === TAB && SEP !== TAB))) j++;
      if (j < n && text.charCodeAt(j) === QUOTE) {
        const openedAt = line;
        let value = '';
        let k = j + 1;
        for (;;) {
          const q = text.indexOf('"', k);
          if (q < 0) {
            if (lenientEnd) { value += text.slice(k); k = n; break; }
            throw csvInvalid(openedAt, 'a quoted field is never closed');
          }
          value += text.slice(k, q);
          if (text.charCodeAt(q + 1) === QUOTE) { value += '"'; k = q + 2; continue; }
          k = q + 1;
          break;
        }
        line += countLines(value);
        // After the closing quote: blanks, then a separator or the end of the line.
        while (k < n && (text.charCodeAt(k) === SPACE || (text.charCodeAt(k) === TAB && SEP !== TAB))) k++;
        const c = k < n ? text.charCodeAt(k) : -1;
        if (c !== -1 && c !== SEP && c !== CR && c !== LF) throw csvInvalid(line, 'text after a closing quote (a quote inside a quoted field is written twice: "")');
        fields.push(value);
        i = k;
      } else {
        let k = j;
        while (k < n) {
          const c = text.charCodeAt(k);
          if (c === SEP || c === CR || c === LF) break;
          k++;
        }
        fields.push(text.slice(j, k).trimEnd());
        i = k;
      }
      if (i >= n) { atEnd = true; break; }
      const c = text.charCodeAt(i);
      if (c === SEP) { i++; if (i >= n) { fields.push(''); atEnd = true; } continue; }
      // A line end: CRLF, LF or CR.
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      atEnd = true;
    }
    if (fields.some((f) => f !== '')) records.push({ line: start, fields });
  }
  return records;
}

function countLines(s: string): number {
  let lines = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) lines++;
    else if (c === 13 && s.charCodeAt(i + 1) !== 10) lines++;
  }
  return lines;
}
