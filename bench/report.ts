/**
 * Medians, the markdown tables and the performance targets.
 */

export type System = 'nslab' | 'floor' | 'floor2' | 'naive' | 'mininet';
export type Phase = 'startup' | 'synth' | 'apply' | 'plan' | 'change' | 'destroy' | 'read' | 'startstop';

export interface PhaseResult {
  /** Wall times of the timed runs (ms). */
  ms: number[];
  /** Peak RSS per timed run (KiB). */
  rssKb: number[];
  /** CPU time (user + system, children included) per timed run (ms). */
  cpuMs: number[];
  /** ip processes started (from the counting run, or by construction for naive). */
  ipProcs?: number;
  /** The counting run's ip processes by kind. */
  ipKinds?: Record<string, number>;
  /** How the count was made. */
  counted?: 'shim' | 'script lines';
}

export interface ScenarioResult {
  id: string;
  description: string;
  n: number;
  systems: Partial<Record<System, Partial<Record<Phase, PhaseResult>>>>;
  notes: string[];
  errors: string[];
}

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const sec = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(ms < 10000 ? 2 : 1) : '-');
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '-');

const SYSTEM_NAMES: Record<System, string> = {
  nslab: 'nslab',
  floor: 'hand-batched `ip -batch` (floor)',
  floor2: 'hand-batched, 2 parallel streams',
  naive: 'naive (one `ip` per step)',
  mininet: 'Mininet (`mn --switch lxbr`)',
};

const PHASE_NAMES: Record<Phase, string> = {
  startup: 'start-up (`nslab --help`)',
  synth: 'synth only (`nslab synth`)',
  apply: 'apply from empty',
  plan: 'no-op plan (`plan --detailed-exitcode`)',
  change: 'apply one changed address',
  destroy: 'destroy',
  read: 'read (one `ip -j -batch` per namespace)',
  startstop: 'start + stop',
};

/** The baseline each nslab phase is compared with. */
const COMPARE: Partial<Record<Phase, { system: System; phase: Phase; label: string }>> = {
  apply: { system: 'floor', phase: 'apply', label: 'floor apply' },
  plan: { system: 'floor', phase: 'read', label: 'read floor' },
  change: { system: 'floor', phase: 'read', label: 'read floor' },
  destroy: { system: 'floor', phase: 'destroy', label: 'floor destroy' },
};

export const get = (s: ScenarioResult, sys: System, ph: Phase): PhaseResult | undefined => s.systems[sys]?.[ph];
export const med = (s: ScenarioResult, sys: System, ph: Phase): number => median(get(s, sys, ph)?.ms ?? []);

export function scenarioTable(s: ScenarioResult): string {
  const rows: string[] = [
    `### ${s.id}: ${s.description}`,
    '',
    '| system | phase | median s | min–max s | CPU s | `ip` procs | peak RSS MB | nslab ÷ baseline (wall) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const sys of Object.keys(SYSTEM_NAMES) as System[]) {
    const phases = s.systems[sys];
    if (!phases) continue;
    for (const ph of Object.keys(PHASE_NAMES) as Phase[]) {
      const r = phases[ph];
      if (!r || r.ms.length === 0) continue;
      const lo = Math.min(...r.ms);
      const hi = Math.max(...r.ms);
      const rss = r.rssKb.length && sys === 'nslab' ? (Math.max(...r.rssKb) / 1024).toFixed(0) : '-';
      let cmp = '';
      const c = sys === 'nslab' ? COMPARE[ph] : undefined;
      if (c && get(s, c.system, c.phase)) cmp = `${ratio(median(r.ms) / med(s, c.system, c.phase))} ${c.label}`;
      if (sys === 'nslab' && ph === 'apply' && get(s, 'naive', 'apply')) cmp += `; ${ratio(median(r.ms) / med(s, 'naive', 'apply'))} naive`;
      const procs = r.ipProcs === undefined ? '-' : `${r.ipProcs}${r.counted === 'script lines' ? '*' : ''}`;
      const cpu = r.cpuMs.length ? sec(median(r.cpuMs)) : '-';
      rows.push(`| ${SYSTEM_NAMES[sys]} | ${PHASE_NAMES[ph]} | ${sec(median(r.ms))} | ${sec(lo)}–${sec(hi)} | ${cpu} | ${procs} | ${rss} | ${cmp} |`);
    }
  }
  if (get(s, 'mininet', 'startstop')) {
    const m = med(s, 'mininet', 'startstop');
    const parts: string[] = [];
    if (get(s, 'nslab', 'apply') && get(s, 'nslab', 'destroy')) parts.push(`nslab apply+destroy ${ratio(m / (med(s, 'nslab', 'apply') + med(s, 'nslab', 'destroy')))}`);
    if (get(s, 'floor', 'apply') && get(s, 'floor', 'destroy')) parts.push(`hand-batched apply+destroy ${ratio(m / (med(s, 'floor', 'apply') + med(s, 'floor', 'destroy')))}`);
    if (parts.length) rows.push('', `Mininet start+stop ÷ ${parts.join('; ÷ ')}.`);
  }
  const kinds = (Object.keys(PHASE_NAMES) as Phase[])
    .map((ph) => [ph, get(s, 'nslab', ph)?.ipKinds] as const)
    .filter(([, k]) => k && Object.keys(k).length)
    .map(([ph, k]) => `${ph}: ${Object.entries(k!).map(([kind, n]) => `${n} ${kind}`).join(' + ')}`);
  if (kinds.length) rows.push('', `nslab's \`ip\` processes by kind: ${kinds.join('; ')}.`);
  if (rows.some((r) => r.includes('*'))) rows.push('', '\\* counted from the script (one `ip` per line), not traced.');
  for (const n of s.notes) rows.push('', `Note: ${n}`);
  for (const e of s.errors) rows.push('', `**Error:** ${e}`);
  return rows.join('\n');
}

export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean | undefined;
}

/** The performance targets, evaluated on whatever scenarios ran (undefined: not measured). */
export function targets(results: Map<string, ScenarioResult>): TargetResult[] {
  const out: TargetResult[] = [];
  const c100 = results.get('chain-100');
  const c1000 = results.get('chain-1000');
  const l100 = results.get('linear-100');
  const add = (target: string, measured: string, pass: boolean | undefined) => out.push({ target, measured, pass });
  const na = 'not measured (scenario not run)';
  const failed = (s: ScenarioResult | undefined) => (s ? `not measured: a phase failed (see the errors under ${s.id})` : na);
  /** nslab's `ph` ÷ `sys`'s `base` (medians of wall time, or of CPU time). */
  const vs = (s: ScenarioResult | undefined, ph: Phase, sys: System, base: Phase, limit: number, target: string, cpu = false) => {
    const m = (x: PhaseResult | undefined) => median((cpu ? x?.cpuMs : x?.ms) ?? []);
    const [a, b] = s ? [m(get(s, 'nslab', ph)), m(get(s, sys, base))] : [NaN, NaN];
    const x = a / b;
    add(target, Number.isFinite(x) ? `${ratio(x)} (${sec(a)} s vs ${sec(b)} s${cpu ? ' CPU' : ''})` : failed(s), Number.isFinite(x) ? x <= limit : undefined);
  };
  vs(c1000, 'apply', 'floor', 'apply', 1.2, 'chain-1000 apply from empty ≤ 1.2x hand-batched');
  vs(c100, 'apply', 'floor', 'apply', 1.5, 'chain-100 apply from empty ≤ 1.5x hand-batched');
  vs(c1000, 'plan', 'floor', 'read', 1.2, 'chain-1000 no-op plan ≤ 1.2x the read floor');
  {
    const procs = c1000 ? get(c1000, 'nslab', 'plan')?.ipProcs : undefined;
    add('chain-1000 no-op plan: ≤ 1 `ip` process per namespace (+1 `ip netns list`)', procs === undefined ? failed(c1000) : `${procs} processes for ${c1000!.n} namespaces`, procs === undefined ? undefined : procs <= c1000!.n + 1);
  }
  vs(c1000, 'destroy', 'floor', 'apply', 0.15, 'chain-1000 destroy ≤ 0.15x the hand-batched apply');
  vs(c1000, 'apply', 'floor', 'apply', 1.5, 'chain-1000 apply: nslab CPU ≤ 1.5x hand-batched CPU', true);
  {
    const peak = (s: ScenarioResult | undefined) => {
      const rss = Object.values(s?.systems.nslab ?? {}).flatMap((r) => r?.rssKb ?? []);
      return rss.length ? Math.max(...rss) / 1024 : NaN;
    };
    const mb = peak(c1000);
    add('chain-1000 nslab peak memory < 200 MB', Number.isFinite(mb) ? `${mb.toFixed(1)} MB (largest phase)` : failed(c1000), Number.isFinite(mb) ? mb < 200 : undefined);
    const growth = mb / peak(c100);
    add('peak memory chain-100 → chain-1000: linear or better (≤ 10x)', Number.isFinite(growth) ? `${ratio(growth)} (${peak(c100).toFixed(1)} MB → ${mb.toFixed(1)} MB)` : c100 && c1000 ? failed(c1000) : na, Number.isFinite(growth) ? growth <= 10 : undefined);
  }
  {
    const m = l100 ? med(l100, 'mininet', 'startstop') : NaN;
    const ns = l100 ? med(l100, 'nslab', 'apply') + med(l100, 'nslab', 'destroy') : NaN;
    const x = m / ns;
    add('linear-100 apply+destroy vs Mininet start+stop (for comparison)', Number.isFinite(x) ? `${ratio(x)} faster (${sec(ns)} s vs ${sec(m)} s)` : l100 && !get(l100, 'mininet', 'startstop') ? 'Mininet not run (see the note under linear-100)' : failed(l100), undefined);
  }
  return out;
}

export function targetTable(ts: TargetResult[]): string {
  const rows = ['| target | measured | result |', '| --- | --- | --- |'];
  for (const t of ts) rows.push(`| ${t.target} | ${t.measured} | ${t.pass === undefined ? 'n/a' : t.pass ? 'PASS' : '**FAIL**'} |`);
  return rows.join('\n');
}

/** Min, median and max of a sample (NaN for an empty one). */
export function spread(xs: number[]): { min: number; median: number; max: number } {
  return xs.length ? { min: Math.min(...xs), median: median(xs), max: Math.max(...xs) } : { min: NaN, median: NaN, max: NaN };
}
