import path from 'node:path';
import { requireInstalled, type Ctx } from '../context.js';
import { makeBackup, pruneBackups } from './backupFiles.js';

/** backup: database dump + media into <dir>/backups, then retention (--keep, default 7). */
export async function backup(ctx: Ctx): Promise<number> {
  const state = requireInstalled(ctx);
  const file = await ctx.ui.step('Backup (database and media)', () => makeBackup(ctx, state.version ?? '0.0.0', 'backup'));
  const removed = pruneBackups(ctx, ctx.opts.keep);
  ctx.ui.info(`Backup written: ${file}`);
  if (removed.length) ctx.ui.info(`Removed ${removed.length} older backup(s), keeping ${ctx.opts.keep}: ${removed.map((f) => path.basename(f)).join(', ')}`);
  if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ file, removed })}\n`);
  return 0;
}
