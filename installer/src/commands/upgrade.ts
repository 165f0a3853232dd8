import fs from 'node:fs';
import path from 'node:path';
import { currentRelease, requireInstalled, type Ctx } from '../context.js';
import { envPath, writeEnv } from '../envFile.js';
import { InstallerError } from '../errors.js';
import { DockerRuntime } from '../runtime/docker.js';
import { writeState } from '../state.js';
import { compareVersions } from '../versions.js';
import { commandFor } from '../invocation.js';

/** Refuses what cannot be upgraded in one go, naming the version to go through. */
export function checkUpgradePath(from: string, to: string, minUpgradeFrom: string): void {
  if (compareVersions(to, from) === 0) throw new InstallerError('already_on_version', `Atendo ${from} is already installed`, 'nothing to do', { exitCode: 2 });
  if (compareVersions(to, from) < 0) {
    throw new InstallerError('downgrade_refused', `${to} is older than the installed ${from}`, 'to go back, restore a backup taken before the upgrade', { exitCode: 2 });
  }
  if (compareVersions(from, minUpgradeFrom) < 0) {
    throw new InstallerError('unsupported_upgrade_path', `Atendo ${to} cannot be reached from ${from} in one step`, `upgrade to ${minUpgradeFrom} first, then to ${to}`, { exitCode: 2 });
  }
}

/**
 * upgrade: the new release is made ready before anything stops; what runs now (release, env, compose
 * file, image digests) and the database are recorded; then stop, migrate, start, and cut over only when
 * /ready passes. Any failure restores the previous release, files and database, starts it again, and
 * says so.
 */
export async function upgrade(ctx: Ctx): Promise<number> {
  const state = requireInstalled(ctx);
  const { runtime } = ctx;
  const target = runtime.kind === 'local' ? ctx.opts.release : ctx.opts.version;
  if (!target) throw new InstallerError('input_needed', 'upgrade to what?', runtime.kind === 'local' ? 'pass --release DIR' : 'pass --version X.Y.Z', { exitCode: 2 });
  const previous = currentRelease(ctx);
  const from = state.version ?? '0.0.0';

  await ctx.ui.step(runtime.kind === 'docker' ? `Pull the images of ${target}` : `Check the release in ${target}`, () => runtime.prepareRelease(target));
  const info = await runtime.releaseInfo(target);
  checkUpgradePath(from, info.version, info.minUpgradeFrom);
  ctx.ui.info(`Upgrading Atendo ${from} → ${info.version}`);

  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const record = path.join(ctx.dir, 'backups', `upgrade-${stamp}-${from}-to-${info.version}`);
  await ctx.ui.step('Record what runs now and dump the database', async () => {
    fs.mkdirSync(record, { recursive: true, mode: 0o700 });
    fs.copyFileSync(envPath(ctx.dir), path.join(record, '.env'));
    fs.writeFileSync(path.join(record, 'installer-state.json'), JSON.stringify(state, null, 2), { mode: 0o600 });
    const compose = path.join(ctx.dir, 'compose.yaml');
    if (fs.existsSync(compose)) fs.copyFileSync(compose, path.join(record, 'compose.yaml'));
    if (runtime instanceof DockerRuntime) fs.writeFileSync(path.join(record, 'images.json'), await runtime.imageDigests());
    await runtime.dumpDatabase(ctx.env, path.join(record, 'database.dump'));
  });

  let phase = 'stop';
  try {
    await ctx.ui.step('Stop server and worker', () => runtime.stopApp());
    phase = 'migrate';
    await ctx.ui.step(`Migrate the database for ${info.version}`, async () => {
      const res = await runtime.appliance(ctx.env, target, ['migrate']);
      if (res.code !== 0) throw new Error((res.stderr || res.stdout).trim().split('\n').slice(-3).join(' '));
    });
    phase = 'start';
    await ctx.ui.step(`Start ${info.version} and wait for /ready`, () => runtime.startApp(ctx.env, target));
  } catch (err) {
    const why = (err as Error).message;
    ctx.log.write(`upgrade failed at ${phase}: ${why}`);
    await ctx.ui.step(`Roll back to ${from}`, async () => {
      await runtime.stopApp();
      await runtime.restoreDatabase(ctx.env, path.join(record, 'database.dump'));
      fs.copyFileSync(path.join(record, '.env'), envPath(ctx.dir));
      await runtime.startApp(ctx.env, previous);
    });
    throw new InstallerError('upgrade_failed', `the upgrade to ${info.version} failed at "${phase}" (${why}). It was rolled back: Atendo ${from} is serving again with its database as it was`,
      `send the log to support (${commandFor(ctx.dir, 'support-bundle')}); the records are in ${record}`);
  }
  if (runtime.kind === 'docker') {
    ctx.env = { ...ctx.env, ATENDO_VERSION: info.version };
    writeEnv(ctx.dir, ctx.env);
  }
  writeState(ctx.dir, { ...state, version: info.version, releaseDir: runtime.kind === 'local' ? target : null });
  ctx.ui.info(`Atendo ${info.version} is running. The pre-upgrade database dump is in ${record}.`);
  return 0;
}
