import path from 'node:path';
import { currentRelease, requireInstalled, type Ctx } from '../context.js';
import { InstallerError } from '../errors.js';
import { compareVersions } from '../versions.js';
import { makeBackup, openBackup } from './backupFiles.js';

/**
 * restore --file BACKUP: the backup's database and media replace the current ones. The license of this
 * install (its lease and installation) is kept, so a backup from another server restores cleanly here.
 * The current data is backed up first, so a restore can itself be undone.
 */
export async function restore(ctx: Ctx): Promise<number> {
  const state = requireInstalled(ctx);
  if (!ctx.opts.file) throw new InstallerError('input_needed', 'which backup?', 'pass --file <backups/atendo-….tar.gz>', { exitCode: 2 });
  const opened = await openBackup(ctx, ctx.opts.file);
  try {
    const { manifest } = opened;
    if (compareVersions(manifest.version, state.version ?? '0.0.0') > 0) {
      throw new InstallerError('backup_too_new', `the backup is from Atendo ${manifest.version}, newer than this ${state.version}`, `upgrade to ${manifest.version} first, then restore`, { exitCode: 2 });
    }
    if (!ctx.opts.yes) {
      const answer = await ctx.prompter.ask(`Replace ALL current data with the backup of ${manifest.createdAt}? Type "restore"`, '--yes');
      if (answer !== 'restore') throw new InstallerError('cancelled', 'restore cancelled', 'nothing was changed');
    }
    const safety = await ctx.ui.step('Backup of the current data first', () => makeBackup(ctx, state.version ?? '0.0.0', 'pre-restore'));
    ctx.ui.info(`  (${path.basename(safety)})`);
    const license = await ctx.runtime.psql(ctx.env, 'copy license_state to stdout;');
    await ctx.ui.step('Stop server and worker', () => ctx.runtime.stopApp());
    await ctx.ui.step('Restore the database', () => ctx.runtime.restoreDatabase(ctx.env, path.join(opened.work, 'database.dump')));
    await ctx.ui.step('Bring the schema up to this version', async () => {
      const res = await ctx.runtime.appliance(ctx.env, currentRelease(ctx), ['migrate']);
      if (res.code !== 0) throw new InstallerError('migration_failed', `migrations failed after restore: ${res.stderr.trim()}`, `put the previous data back: restore --file ${safety}`);
    });
    await ctx.ui.step('Keep this install\'s license', () => ctx.runtime.psql(ctx.env, 'truncate license_state;\ncopy license_state from stdin;', `${license}\\.\n`));
    await ctx.ui.step('Restore media', () => ctx.runtime.restoreData(path.join(opened.work, 'data.tar.gz')));
    await ctx.ui.step('Start server and worker', () => ctx.runtime.startApp(ctx.env, currentRelease(ctx)));
    ctx.ui.info(`Restored the backup of ${manifest.createdAt} (Atendo ${manifest.version}). The data before it is in ${safety}.`);
    return 0;
  } finally {
    opened.close();
  }
}
