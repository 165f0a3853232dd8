import fs from 'node:fs';
import { requireInstalled, type Ctx } from '../context.js';
import { InstallerError } from '../errors.js';

/** logs [--service NAME] [--lines N]: recent logs, secrets masked. */
export async function logs(ctx: Ctx): Promise<number> {
  requireInstalled(ctx);
  const names = [...ctx.runtime.logNames(), 'installer'];
  const wanted = ctx.opts.service ? [ctx.opts.service] : names;
  for (const name of wanted) {
    if (!names.includes(name)) throw new InstallerError('unknown_service', `no logs named "${name}"`, `choose one of: ${names.join(', ')}`, { exitCode: 2 });
    const text = name === 'installer' ? tail(ctx.log.file, ctx.opts.lines) : await ctx.runtime.logs(name, ctx.opts.lines);
    process.stdout.write(`==> ${name} <==\n${ctx.masker.mask(text)}\n`);
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
