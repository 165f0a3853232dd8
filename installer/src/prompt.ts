import fs from 'node:fs';
import readline from 'node:readline/promises';
import tty from 'node:tty';
import { flagNeeded } from './errors.js';

/**
 * Questions go to the terminal itself (/dev/tty), not stdin, so `curl … | sudo sh` can still ask. With
 * no terminal, or with --yes, nobody is asked: the caller learns which flag to pass instead.
 */
export class Prompter {
  constructor(private readonly interactive: boolean) {}

  private openTty(what: string, flag: string): { input: tty.ReadStream; output: fs.WriteStream } {
    if (!this.interactive) throw flagNeeded(what, flag);
    let fd: number;
    try {
      fd = fs.openSync('/dev/tty', 'r+');
    } catch {
      throw flagNeeded(what, flag);
    }
    if (!tty.isatty(fd)) throw flagNeeded(what, flag);
    return { input: new tty.ReadStream(fd), output: fs.createWriteStream('', { fd: fs.openSync('/dev/tty', 'w') }) };
  }

  async ask(question: string, flag: string, fallback?: string): Promise<string> {
    const { input, output } = this.openTty(question, flag);
    const rl = readline.createInterface({ input, output });
    try {
      const answer = (await rl.question(`${question}${fallback ? ` [${fallback}]` : ''}: `)).trim();
      return answer || fallback || '';
    } finally {
      rl.close();
      input.destroy();
      output.end();
    }
  }

  /** A password: nothing is echoed, not even stars. */
  async secret(question: string, flag: string): Promise<string> {
    const { input, output } = this.openTty(question, flag);
    output.write(`${question}: `);
    input.setRawMode(true);
    try {
      return await new Promise<string>((resolve, reject) => {
        let value = '';
        input.on('data', (chunk: Buffer) => {
          for (const ch of chunk.toString('utf8')) {
            if (ch === '\r' || ch === '\n') return resolve(value);
            if (ch === '\u0003') return reject(new Error('interrupted'));
            if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
            else value += ch;
          }
        });
      });
    } finally {
      input.setRawMode(false);
      output.write('\n');
      input.destroy();
      output.end();
    }
  }
}
