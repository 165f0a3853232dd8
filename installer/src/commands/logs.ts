import fs from 'node:fs';
import { requireInstalled, type Ctx } from '../context.js';
import { InstallerError } from '../errors.js';
import { jsonLine, prettyLine } from '../logFormat.js';

/**
 * logs [--service NAME] [--lines N] [--json]: recent logs, secrets masked. Readable by default, piped or
 * not (colours only on a terminal); --json gives JSON Lines for jq, each with its service.
 */
export async function logs(ctx: Ctx): Promise<number> {
  requireInstalled(ctx);
  const names = [...ctx.runtime.logNames(), 'installer'];
  const wanted = ctx.opts.service ? [ctx.opts.service] : names;
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  for (const name of wanted) {
    if (!names.includes(name)) throw new InstallerError('unknown_service', `no logs named "${name}"`, `choose one of: ${names.join(', ')}`, { exitCode: 2 });
    const text = ctx.masker.mask(name === 'installer' ? tail(ctx.log.file, ctx.opts.lines) : await ctx.runtime.logs(name, ctx.opts.lines));
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (ctx.opts.json) {
      for (const l of lines) process.stdout.write(`${jsonLine(l, name)}\n`);
    } else {
      process.stdout.write(`==> ${name} <==\n${lines.map((l) => prettyLine(l, color)).join('\n')}${lines.length ? '\n' : ''}`);
    }
  }
  return 0;
}

export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '';
  }
}
