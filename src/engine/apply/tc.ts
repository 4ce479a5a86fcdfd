/**
 * Changes -> `tc -batch` lines per location for link impairments. Pure.
 *
 * A created (or re-created) device with `impair` gets its qdisc; an update whose `impair` field
 * differs replaces the root qdisc in place (`qdisc replace`), or deletes it when the impairment
 * is no longer declared (the kernel's default qdisc returns).
 */
import { loc, type Location } from '../../plan/types.js';
import { tcArgs, type Impair } from '../../plan/impair.js';
import type { Change } from '../diff/diff.js';

export interface TcScript {
  readonly location: Location;
  readonly lines: string[];
}

export function tcScripts(changes: readonly Change[]): TcScript[] {
  const byLoc = new Map<Location, string[]>();
  const add = (l: Location, line: string) => byLoc.set(l, [...(byLoc.get(l) ?? []), line]);
  for (const c of changes) {
    const d = c.desired;
    if (c.action === 'delete' || !d || (d.type !== 'veth' && d.type !== 'bridge')) continue;
    const creating = c.action === 'create' || c.action === 'replace';
    const ends: Array<[string, { namespace?: string; name: string; impair?: Impair }]> = d.type === 'veth' ? [['a.', d.a], ['b.', d.b]] : [['', d]];
    for (const [prefix, e] of ends) {
      const changed = c.fields.some((f) => f.field === `${prefix}impair`);
      // Equivalent to: `tc qdisc replace dev X root tbf rate …` / `tc qdisc del dev X root`.
      if (e.impair && (creating || changed)) add(loc(e.namespace), `qdisc replace dev ${e.name} root ${tcArgs(e.impair).join(' ')}`);
      else if (!e.impair && changed && !creating) add(loc(e.namespace), `qdisc del dev ${e.name} root`);
    }
  }
  return [...byLoc].map(([location, lines]) => ({ location, lines }));
}
