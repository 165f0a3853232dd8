import fs from 'node:fs';
import { InstallerError } from './errors.js';
import { readState, statePath, writeState, type InstallState } from './state.js';
import type { Ui } from './ui.js';

/**
 * One step of a procedure. `check` looks at the real system ("already done?") so a re-run skips what
 * holds and repairs what does not; `run` does it; `undo`, where it makes sense, takes it back when a
 * later step fails definitively; `plan` says what a dry run would do.
 */
export interface Step<C> {
  id: string;
  title: string;
  check?: (ctx: C) => Promise<boolean>;
  run: (ctx: C) => Promise<void>;
  undo?: (ctx: C) => Promise<void>;
  plan?: (ctx: C) => Promise<string[]>;
}

export interface EngineEnv {
  dir: string;
  ui: Ui;
  dryRun: boolean;
  initialState: () => InstallState;
}

/**
 * Runs the steps in order, writing the state file after each one, so an interrupted run resumes where it
 * stopped. A failure is recorded with its step, reason and hint. When the error asks for it (`undo`), the
 * steps this run did are undone in reverse and the state file goes, leaving nothing half-installed.
 */
export async function runSteps<C>(env: EngineEnv, steps: Step<C>[], ctx: C): Promise<InstallState> {
  const existing = readState(env.dir);
  const state = existing ?? env.initialState();
  if (env.dryRun) {
    for (const step of steps) {
      const lines = step.plan ? await step.plan(ctx) : [];
      env.ui.info(`• ${step.title}${lines.length ? `\n${lines.map((l) => `    ${l}`).join('\n')}` : ''}`);
    }
    return state;
  }
  const doneThisRun: Step<C>[] = [];
  for (const step of steps) {
    if (step.check && (await step.check(ctx))) {
      env.ui.skipped(step.title, 'already done');
      state.done[step.id] ??= new Date().toISOString();
      writeState(env.dir, state);
      continue;
    }
    try {
      await env.ui.step(step.title, () => step.run(ctx));
    } catch (err) {
      const e = err instanceof InstallerError ? err
        : new InstallerError('step_failed', (err as Error).message, 'see the log file for the full detail, then run the same command again');
      if (e.opts.undo) {
        for (const done of doneThisRun.reverse()) {
          if (done.undo) await env.ui.step(`undo: ${done.title}`, () => done.undo!(ctx)).catch(() => {});
          delete state.done[done.id];
        }
        if (existing) writeState(env.dir, state);
        else fs.rmSync(statePath(env.dir), { force: true });
      } else {
        state.lastFailure = { step: step.id, code: e.code, message: e.message, hint: e.hint, at: new Date().toISOString() };
        writeState(env.dir, state);
      }
      throw new StepFailed(step, e);
    }
    state.done[step.id] = new Date().toISOString();
    state.lastFailure = null;
    writeState(env.dir, state);
    doneThisRun.push(step);
  }
  return state;
}

export class StepFailed extends Error {
  constructor(readonly step: { id: string; title: string }, override readonly cause: InstallerError) {
    super(`step "${step.title}" failed: ${cause.message}`);
  }
}

