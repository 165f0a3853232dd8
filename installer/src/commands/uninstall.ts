import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../context.js';
import { InstallerError } from '../errors.js';
import { statePath } from '../state.js';

/**
 * uninstall: stops and removes the stack. The data (database, media), .env and backups stay, so a later
 * install finds them; --purge deletes data and backups too, after asking twice.
 */
export async function uninstall(ctx: Ctx): Promise<number> {
  if (!ctx.state) throw new InstallerError('not_installed', `no Atendo install in ${ctx.dir}`, 'check --dir');
  if (ctx.opts.purge && !ctx.opts.yes) {
    const first = await ctx.prompter.ask(`This DELETES the database, media and backups in ${ctx.dir}. Type "delete"`, '--yes');
    const second = first === 'delete' ? await ctx.prompter.ask(`Sure? There is no undo. Type the directory (${ctx.dir})`, '--yes') : '';
    if (second !== ctx.dir) throw new InstallerError('cancelled', 'uninstall cancelled', 'nothing was changed');
  } else if (!ctx.opts.yes) {
    const answer = await ctx.prompter.ask('Stop and remove Atendo (data and backups stay)? [y/N]', '--yes');
    if (!/^y(es)?$/i.test(answer)) throw new InstallerError('cancelled', 'uninstall cancelled', 'nothing was changed');
  }
  await ctx.ui.step('Stop and remove the stack', () => ctx.runtime.remove(ctx.opts.purge));
  for (const f of ctx.runtime.render(ctx.env)) fs.rmSync(path.join(ctx.dir, f.path), { force: true });
  fs.rmSync(statePath(ctx.dir), { force: true });
  if (ctx.opts.purge) {
    for (const f of ['.env', 'backups', 'logs']) fs.rmSync(path.join(ctx.dir, f), { recursive: true, force: true });
    ctx.ui.info(`Atendo was removed from ${ctx.dir}, with its data and backups.`);
  } else {
    ctx.ui.info(`Atendo was removed. Data, .env and backups stay in ${ctx.dir}; \`install\` again finds them.`);
  }
  return 0;
}
