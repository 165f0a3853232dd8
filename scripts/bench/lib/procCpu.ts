/**
 * CPU accounting for benchmarks on Linux, from /proc: how many cores each party (a process, a process
 * tree, the benchmark itself) used between two samples. Read-only and cheap (one pass over /proc).
 */
import fs from 'node:fs';
import os from 'node:os';

const CLK_TCK = 100; // USER_HZ on every Linux we run on

export interface ProcInfo {
  ppid: number;
  comm: string;
  /** CPU seconds (user + system) so far. */
  cpu: number;
}

export interface CpuSample {
  /** performance.now() when taken. */
  at: number;
  /** Busy CPU seconds of the whole machine so far. */
  machineBusy: number;
  procs: Map<number, ProcInfo>;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const fields = s.slice(close + 2).split(' ');
    // After "(comm) ": state(0) ppid(1) … utime(11) stime(12)
    return { ppid: Number(fields[1]), comm: s.slice(s.indexOf('(') + 1, close), cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK };
  } catch {
    return null; // exited between readdir and read
  }
}

/** One pass over /proc; null where /proc is not available (not Linux). */
export function sampleCpu(): CpuSample | null {
  try {
    const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const all = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const procs = new Map<number, ProcInfo>();
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const p = readProc(Number(d));
      if (p) procs.set(Number(d), p);
    }
    return { at: performance.now(), machineBusy: (all - idle) / CLK_TCK, procs };
  } catch {
    return null;
  }
}

export function cmdlineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The pid and all its descendants in a sample. */
export function treeOf(sample: CpuSample, root: number): Set<number> {
  const out = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of sample.procs) {
      if (!out.has(pid) && out.has(p.ppid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return out;
}

/** A party is a set of pids (looked up in the later sample, so processes forked during the window count). */
export type Party = (later: CpuSample) => Iterable<number>;

export interface CoresUsed {
  /** Average cores used over the window, per party, in the order given. */
  parties: Array<{ name: string; cores: number }>;
  /** Busy cores of the whole machine, and the part no party accounts for. */
  machineBusy: number;
  other: number;
  cores: number;
  seconds: number;
}

export function coresUsed(a: CpuSample | null, b: CpuSample | null, parties: Record<string, Party>): CoresUsed | null {
  if (!a || !b) return null;
  const seconds = (b.at - a.at) / 1000;
  if (seconds <= 0) return null;
  const out: Array<{ name: string; cores: number }> = [];
  const counted = new Set<number>();
  for (const [name, party] of Object.entries(parties)) {
    let sum = 0;
    for (const pid of party(b)) {
      if (counted.has(pid)) continue; // a pid belongs to the first party that names it
      counted.add(pid);
      const after = b.procs.get(pid);
      if (!after) continue;
      sum += after.cpu - (a.procs.get(pid)?.cpu ?? 0);
    }
    out.push({ name, cores: sum / seconds });
  }
  const machineBusy = (b.machineBusy - a.machineBusy) / seconds;
  const accounted = out.reduce((s, p) => s + p.cores, 0);
  return { parties: out, machineBusy, other: Math.max(0, machineBusy - accounted), cores: os.availableParallelism(), seconds };
}

/** Finds a PostgreSQL postmaster by its data directory; its tree is the whole server. */
export function postmasterPid(sample: CpuSample, dataDir: string): number | null {
  for (const [pid, p] of sample.procs) {
    if (p.comm === 'postgres' && cmdlineOf(pid).includes(dataDir)) {
      const parent = sample.procs.get(p.ppid);
      if (!parent || parent.comm !== 'postgres') return pid;
    }
  }
  return null;
}

/** Finds a redis-server by the port in its process title ("redis-server 127.0.0.1:PORT"). */
export function redisPid(sample: CpuSample, port: number): number | null {
  for (const [pid, p] of sample.procs) {
    if (p.comm.startsWith('redis') && cmdlineOf(pid).includes(`:${port}`)) return pid;
  }
  return null;
}
