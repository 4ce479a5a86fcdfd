/**
 * Garbage collection of orphans: objects that carry an nslab ownership marker but that no state
 * file claims (after a lost state file or a crashed run). Only marked objects are candidates, so
 * nothing nslab did not create is ever touched.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, loc, markerOwner } from './plan/types.js';
import { readLive } from './live/read.js';
import { parseNetnsList } from './live/parse.js';
import { listStates, priorOf, readState } from './state/state.js';
import { runChecked, type Runner } from './runner.js';

export interface Orphan {
  readonly kind: 'namespace' | 'link';
  readonly name: string;
  /** The lab key its marker names. */
  readonly lab: string;
}

/**
 * Namespaces and host links whose marker names a lab that does not claim them, looking at the
 * state files in every directory of `dirs` (the state directory, and the run directories of
 * ephemeral test labs).
 */
export async function findOrphans(runner: Runner, dirs: readonly string[]): Promise<Orphan[]> {
  const claimedNs = new Map<string, Set<string>>();
  const claimedLinks = new Map<string, Set<string>>();
  for (const dir of dirs) for (const key of listStates(dir)) {
    const ns = new Set<string>();
    const links = new Set<string>();
    for (const { resource: r } of priorOf(readState(dir, key))) {
      if (r.type === 'namespace') ns.add(r.name);
      if (r.type === 'bridge' && loc(r.namespace) === HOST) links.add(r.name);
      if (r.type === 'veth') for (const e of [r.a, r.b]) if (loc(e.namespace) === HOST) links.add(e.name);
    }
    claimedNs.set(key, ns);
    claimedLinks.set(key, links);
  }
  // A lab whose lock is held is mid-apply: leave everything of it alone.
  const busy = (key: string) => dirs.some((dir) => existsSync(join(dir, `${key}.lock`)));
  const namespaces = parseNetnsList((await runChecked(runner, ['ip', '-j', 'netns', 'list'])).stdout);
  const live = await readLive(runner, { locations: [HOST, ...namespaces] });
  const out: Orphan[] = [];
  for (const [l, where] of live.locations) {
    if (l === HOST) {
      for (const link of where.links.values()) {
        const lab = markerOwner(link.alias);
        if (lab !== undefined && !busy(lab) && !claimedLinks.get(lab)?.has(link.name)) out.push({ kind: 'link', name: link.name, lab });
      }
      continue;
    }
    const lab = markerOwner(where.links.get('lo')?.alias);
    if (lab !== undefined && !busy(lab) && !claimedNs.get(lab)?.has(l)) out.push({ kind: 'namespace', name: l, lab });
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/**
 * Removes the orphans: `ip -force -batch -` with `link del dev NAME` and `netns del NAME` lines.
 * Links first, so that a veth's host end does not outlive its namespace asynchronously.
 */
export async function removeOrphans(runner: Runner, orphans: readonly Orphan[]): Promise<void> {
  if (orphans.length === 0) return;
  const lines = [
    ...orphans.filter((o) => o.kind === 'link').map((o) => `link del dev ${o.name}`),
    ...orphans.filter((o) => o.kind === 'namespace').map((o) => `netns del ${o.name}`),
  ];
  await runChecked(runner, ['ip', '-force', '-batch', '-'], `${lines.join('\n')}\n`);
}
