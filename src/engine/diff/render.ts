/** Human and JSON renderings of a diff. */
import type { Resource } from '../../plan/types.js';
import { describeImpair } from '../../plan/impair.js';
import { describeNetfilter } from '../../plan/netfilter.js';
import { rulesOf } from '../../plan/nft-rules.js';
import type { Action, Change, Conflict, DiffResult } from './change.js';

const SYMBOL: Record<Action, string> = { create: '+', update: '~', replace: '-/+', delete: '-' };

/** One-line description of a resource: what it is and where. */
export function describe(r: Resource): string {
  const where = (ns: string | undefined) => (ns === undefined ? 'host' : ns);
  switch (r.type) {
    case 'namespace':
      return `namespace ${r.name}`;
    case 'bridge':
      return `bridge ${r.name} (${where(r.namespace)}${r.impair ? `, impair ${describeImpair(r.impair)}` : ''})`;
    case 'veth': {
      const end = (e: typeof r.a) => `${e.name} (${where(e.namespace)}${e.master ? `, port of ${e.master}` : ''}${e.impair ? `, impair ${describeImpair(e.impair)}` : ''})`;
      return `veth ${end(r.a)} <-> ${end(r.b)}`;
    }
    case 'vxlan': {
      const remote = r.remote.includes(':') ? `[${r.remote}]` : r.remote;
      return `vxlan ${r.name} (${r.namespace}, vni ${r.vni}, ${r.local} -> ${remote}:${r.port})`;
    }
    case 'address':
      return `address ${r.address} on ${r.device} (${where(r.namespace)})`;
    case 'route':
      return `route ${r.destination}${r.via ? ` via ${r.via}` : ''}${r.device ? ` dev ${r.device}` : ''} (${where(r.namespace)})`;
    case 'sysctl':
      return `sysctl ${r.key} = ${r.value} (host)`;
    default:
      return describeNetfilter(r);
  }
}

const show = (v: unknown) => (v === null || v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

export function renderChange(c: Change): string {
  const what = describe(c.desired ?? c.prior!);
  const lines = [`  ${SYMBOL[c.action].padEnd(3)} ${what}  [${c.path}]`, `        reason: ${c.reason}`];
  for (const f of c.fields) lines.push(`        ${f.field}: ${show(f.from)} -> ${show(f.to)}`);
  if (c.fields.length === 0 && c.desired?.type === 'firewall') {
    for (const [chain, rules] of Object.entries(rulesOf(c.desired))) for (const r of rules ?? []) lines.push(`        ${chain}: ${r}`);
  }
  return lines.join('\n');
}

export function summarize(changes: readonly Change[]): string {
  const n = (a: Action) => changes.filter((c) => c.action === a).length;
  return `${n('create')} to create, ${n('update')} to update, ${n('replace')} to replace, ${n('delete')} to delete`;
}

export function renderConflicts(conflicts: readonly Conflict[]): string {
  return conflicts.map((c) => `[${c.path}] ${c.message}`).join('\n');
}

/** The readable plan of one lab. */
export function renderPlan(lab: string, result: DiffResult): string {
  const left = (result.leftAlone ?? []).map((c) => `  left alone: [${c.path}] ${c.message}`);
  if (result.changes.length === 0) return [`lab ${lab}: no changes; the kernel matches the lab.`, ...left].join('\n');
  return [`lab ${lab}:`, ...result.changes.map(renderChange), ...left, `Plan: ${summarize(result.changes)}.`].join('\n');
}

/** The JSON form (`nslab plan --json`): stable field names, one entry per change. */
export function planJson(lab: string, key: string, result: DiffResult): unknown {
  return {
    lab,
    key,
    changes: result.changes.map((c) => ({
      id: c.id, type: c.type, action: c.action, path: c.path, reason: c.reason, fields: c.fields,
      ...(c.desired ? { desired: c.desired } : {}), ...(c.prior ? { prior: c.prior } : {}),
    })),
    conflicts: result.conflicts,
  };
}

