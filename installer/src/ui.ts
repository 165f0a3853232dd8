import type { LogFile } from './logFile.js';
import type { Masker } from './masker.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * What the admin sees: one line per step with its duration, a spinner only when stdout is a terminal
 * (a piped or logged run gets plain lines), and messages that are masked like the log.
 */
export class Ui {
  readonly tty = Boolean(process.stdout.isTTY);

  constructor(private readonly log: LogFile, private readonly masker: Masker, private readonly quiet = false) {}

  info(text: string): void {
    this.log.write(text);
    if (!this.quiet) process.stdout.write(`${this.masker.mask(text)}\n`);
  }

  warn(text: string): void {
    this.log.write(`WARN ${text}`);
    if (!this.quiet) process.stdout.write(`! ${this.masker.mask(text)}\n`);
  }

  /** Runs `fn` as a visible step: spinner (terminal) or a start line, then ✓/✗ with the duration. */
  async step<T>(title: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    this.log.write(`step start: ${title}`);
    let timer: NodeJS.Timeout | null = null;
    if (this.tty && !this.quiet) {
      let i = 0;
      timer = setInterval(() => process.stdout.write(`\r${FRAMES[i++ % FRAMES.length]} ${title} ${seconds(started)}`), 100);
    } else if (!this.quiet) {
      process.stdout.write(`… ${title}\n`);
    }
    const end = (mark: string) => {
      if (timer) clearInterval(timer);
      const line = `${mark} ${title} (${seconds(started)})`;
      this.log.write(`step end: ${line}`);
      if (!this.quiet) process.stdout.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    };
    try {
      const value = await fn();
      end('✓');
      return value;
    } catch (err) {
      end('✗');
      throw err;
    }
  }

  skipped(title: string, why: string): void {
    this.log.write(`step skipped: ${title}: ${why}`);
    if (!this.quiet) process.stdout.write(`- ${title} (${why})\n`);
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}
