import fs from 'node:fs';
import path from 'node:path';
import type { Masker } from './masker.js';

/** The full detail of every run, appended to <install dir>/logs/installer.log, secrets masked. */
export class LogFile {
  constructor(readonly file: string, private readonly masker: Masker) {}

  write(line: string): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const text = this.masker.mask(line).replace(/\n(?!$)/g, '\n    ');
      fs.appendFileSync(this.file, `${new Date().toISOString()} ${text}\n`, { mode: 0o600 });
    } catch {
      /* a dry run on a directory we may not create: the screen still has it */
    }
  }
}
