import fs from 'node:fs';
import path from 'node:path';
import type { Masker } from './masker.js';

/** The full detail of every run, appended to <install dir>/logs/installer.log, secrets masked. */
export class LogFile {
  /** `enabled` is false for a dry run and read-only commands, which must not even create the install dir. */
  constructor(readonly file: string, private readonly masker: Masker, readonly enabled = true) {}

  write(line: string): void {
    if (!this.enabled) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const text = this.masker.mask(line).replace(/\n(?!$)/g, '\n    ');
      fs.appendFileSync(this.file, `${new Date().toISOString()} ${text}\n`, { mode: 0o600 });
    } catch {
      /* a directory we may not write: the screen still has it */
    }
  }
}
