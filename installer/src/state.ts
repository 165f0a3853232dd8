import fs from 'node:fs';
import path from 'node:path';
import type { RuntimeKind } from './options.js';

/** What the installer knows about this install: <dir>/installer-state.json, written after each step. */
export interface InstallState {
  runtime: RuntimeKind;
  /** Steps finished, by id, with when. */
  done: Record<string, string>;
  /** The install finished once: a new `install` is a repair. */
  completedAt: string | null;
  version: string | null;
  /** Local runtime: the code directory that runs (an upgrade points it at another one). */
  releaseDir: string | null;
  lastFailure: { step: string; code: string; message: string; hint: string; at: string } | null;
}

export function statePath(dir: string): string {
  return path.join(dir, 'installer-state.json');
}

export function readState(dir: string): InstallState | null {
  try {
    return JSON.parse(fs.readFileSync(statePath(dir), 'utf8')) as InstallState;
  } catch {
    return null;
  }
}

export function writeState(dir: string, state: InstallState): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${statePath(dir)}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, statePath(dir));
}

export function newState(runtime: RuntimeKind): InstallState {
  return { runtime, done: {}, completedAt: null, version: null, releaseDir: null, lastFailure: null };
}
