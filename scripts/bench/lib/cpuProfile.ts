/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and names where the time went: the functions with the most
 * self time, and self time per package (node_modules/<pkg>, node internals, our own code by top folder).
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time excluding idle and GC markers' own names (kept: '(garbage collector)'). */
  busyMs: number;
  top: Array<{ name: string; ms: number; pct: number }>;
  byPackage: Array<{ name: string; ms: number; pct: number }>;
}

function packageOf(url: string, repoRoot: string): string {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const rel = path.relative(repoRoot, file);
  if (rel.startsWith('..')) return file;
  return rel.split('/').slice(0, 3).join('/');
}

export function summarizeProfile(file: string, repoRoot: string, topN = 15): ProfileSummary {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Native frames (writev, GC-less builtins) have no URL: charge them to the nearest JS caller's package,
  // which answers "who pays for those syscalls".
  const callerPackage = (id: number): string | null => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const url = byId.get(p)!.callFrame.url;
      if (url && !url.startsWith('node:')) return packageOf(url, repoRoot);
    }
    return null;
  };
  const self = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
  }
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let busy = 0;
  let total = 0;
  for (const [id, ms] of self) {
    total += ms;
    const cf = byId.get(id)!.callFrame;
    if (cf.functionName === '(idle)' || cf.functionName === '(program)') continue;
    busy += ms;
    const caller = cf.url && !cf.url.startsWith('node:') ? null : callerPackage(id);
    const where = cf.url ? `${packageOf(cf.url, repoRoot)}:${cf.lineNumber + 1}` : '';
    const name = `${cf.functionName || '(anonymous)'}${where ? ` ${where}` : ''}${caller ? ` ← ${caller}` : ''}`;
    fn.set(name, (fn.get(name) ?? 0) + ms);
    const p = cf.url && !cf.url.startsWith('node:') ? packageOf(cf.url, repoRoot) : caller ? `${caller} (via node/native)` : cf.url ? 'node internals' : cf.functionName;
    pkg.set(p, (pkg.get(p) ?? 0) + ms);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([name, ms]) => ({ name, ms, pct: busy > 0 ? (100 * ms) / busy : 0 }));
  return { file, totalMs: total, busyMs: busy, top: rank(fn), byPackage: rank(pkg) };
}

export function formatProfile(label: string, s: ProfileSummary): string {
  const line = (e: { name: string; ms: number; pct: number }) => `    ${e.pct.toFixed(1).padStart(5)}%  ${Math.round(e.ms).toString().padStart(6)} ms  ${e.name}`;
  return [
    `${label}: ${Math.round(s.busyMs)} ms busy of ${Math.round(s.totalMs)} ms profiled (${path.basename(s.file)})`,
    '  top functions by self time:',
    ...s.top.map(line),
    '  self time by package / folder (node internals and native frames charged to their nearest caller):',
    ...s.byPackage.map(line),
  ].join('\n');
}
