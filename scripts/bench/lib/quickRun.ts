import test from 'ava';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs `scripts/bench/<script>.ts --quick --json` as its own process, for the benchmarks' smoke tests. */
export async function runQuickBench(script: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'bench', `${script}.ts`), '--quick', '--json'], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, out, err };
}

/**
 * The smoke tests' `test`. Under a moved clock (npm run test:any-date, libfaketime in every process) they
 * are skipped, visibly: a benchmark measures this machine, its own watchdogs and pacing run on the real
 * clock that faketime bends, and the product paths it drives are each tested in the suite proper.
 */
export const smokeTest = process.env.FAKETIME ? test.skip : test;
if (process.env.FAKETIME) process.stderr.write(`bench smoke tests skipped: the clock is moved (FAKETIME=${process.env.FAKETIME})\n`);
