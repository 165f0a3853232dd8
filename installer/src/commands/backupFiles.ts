import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import type { Ctx } from '../context.js';
import { InstallerError } from '../errors.js';

/**
 * A backup is one .tar.gz in <dir>/backups: database.dump (pg_dump custom format), data.tar.gz (media;
 * the installation key stays with the machine) and manifest.json (version, time, checksums).
 */
export interface BackupManifest {
  format: 1;
  version: string;
  createdAt: string;
  runtime: string;
  sha256: Record<string, string>;
}

export const backupsDir = (ctx: Ctx) => path.join(ctx.dir, 'backups');

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

export async function makeBackup(ctx: Ctx, version: string, label: string): Promise<string> {
  const dir = backupsDir(ctx);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const work = fs.mkdtempSync(path.join(dir, '.tmp-'));
  try {
    await ctx.runtime.dumpDatabase(ctx.env, path.join(work, 'database.dump'));
    await ctx.runtime.archiveData(path.join(work, 'data.tar.gz'));
    const manifest: BackupManifest = {
      format: 1, version, createdAt: new Date().toISOString(), runtime: ctx.runtime.kind,
      sha256: { 'database.dump': sha256(path.join(work, 'database.dump')), 'data.tar.gz': sha256(path.join(work, 'data.tar.gz')) },
    };
    fs.writeFileSync(path.join(work, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const file = path.join(dir, `atendo-${stamp}-${label}.tar.gz`);
    await $({ quiet: true })`tar -C ${work} -czf ${`${file}.partial`} manifest.json database.dump data.tar.gz`;
    fs.chmodSync(`${file}.partial`, 0o600);
    fs.renameSync(`${file}.partial`, file);
    return file;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Unpacks a backup into a temp dir and checks it whole before anything is touched. */
export async function openBackup(ctx: Ctx, file: string): Promise<{ work: string; manifest: BackupManifest; close: () => void }> {
  if (!fs.existsSync(file)) throw new InstallerError('backup_not_found', `no backup at ${file}`, `list them: ls ${backupsDir(ctx)}`, { exitCode: 2 });
  fs.mkdirSync(backupsDir(ctx), { recursive: true, mode: 0o700 });
  const work = fs.mkdtempSync(path.join(backupsDir(ctx), '.open-'));
  const close = () => fs.rmSync(work, { recursive: true, force: true });
  const bad = (why: string) => {
    close();
    return new InstallerError('backup_invalid', `${path.basename(file)} is not a usable Atendo backup: ${why}`, 'choose another backup; nothing was changed', { exitCode: 2 });
  };
  const out = await $({ quiet: true, nothrow: true })`tar -C ${work} -xzf ${file} manifest.json database.dump data.tar.gz`;
  if (out.exitCode !== 0) throw bad(out.stderr.trim().split('\n')[0] ?? 'unreadable archive');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(work, 'manifest.json'), 'utf8'));
  } catch {
    throw bad('manifest.json is unreadable');
  }
  if (manifest.format !== 1) throw bad(`unknown format ${manifest.format}`);
  for (const [name, sum] of Object.entries(manifest.sha256 ?? {})) {
    if (sha256(path.join(work, name)) !== sum) throw bad(`${name} does not match its checksum`);
  }
  return { work, manifest, close };
}

/** Keeps the newest `keep` backups of each label, deletes older ones. */
export function pruneBackups(ctx: Ctx, keep: number): string[] {
  const dir = backupsDir(ctx);
  const byLabel = new Map<string, string[]>();
  for (const f of fs.readdirSync(dir)) {
    const m = /^atendo-\d{8}T\d{6}Z-(.+)\.tar\.gz$/.exec(f);
    if (m) byLabel.set(m[1]!, [...(byLabel.get(m[1]!) ?? []), f]);
  }
  const removed: string[] = [];
  for (const files of byLabel.values()) {
    for (const f of files.sort().reverse().slice(keep)) {
      fs.rmSync(path.join(dir, f), { force: true });
      removed.push(f);
    }
  }
  return removed;
}
