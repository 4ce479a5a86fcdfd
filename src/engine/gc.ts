/**
 * Garbage collection of orphans: objects whose nslab marker names a lab of this state store
 * that does not claim them (after a lost state file or a crashed run). Only objects marked for
 * this store are candidates: nothing nslab did not create, and nothing of a lab kept in another
 * store (markers name their store: see ownerKey), is ever touched. A lab whose lock is held is
 * mid-change and left alone; removal happens under each lab's lock, after its state is read again.
 */
import { HOST, loc, markerOwner, type Resource } from '../plan/types.js';
import { listNamespaces, readLive } from './live/read.js';
import { isLocked, ownerKey, priorOf, readState, tryLockLab } from './state/state.js';
import { runChecked, type Runner } from './runner.js';
import { pinnedLabs, unpin, unpinStale } from './state/pins.js';

export interface Orphan {
  readonly kind: 'namespace' | 'link';
  readonly name: string;
  /** The lab key its marker names. */
  readonly lab: string;
}

/** The lab key a marker names, when the marker belongs to the store `dir`. */
function labOf(dir: string, alias: string | undefined): string | undefined {
  const owner = markerOwner(alias);
  if (owner === undefined) return undefined;
  const key = owner.replace(/@[0-9a-f]{8}$/u, '');
  return ownerKey(dir, key) === owner ? key : undefined;
}

/** What the lab's state (applied and pending) claims: namespace names and host link names. */
function claims(dir: string, key: string): { namespaces: Set<string>; links: Set<string> } {
  const namespaces = new Set<string>();
  const links = new Set<string>();
  for (const { resource: r } of priorOf(readState(dir, key))) {
    if (r.type === 'namespace') namespaces.add(r.name);
    for (const [where, name] of hostLinks(r)) if (where === HOST) links.add(name);
  }
  return { namespaces, links };
}

const hostLinks = (r: Resource): Array<[string, string]> => {
  if (r.type === 'bridge' || r.type === 'vxlan') return [[loc(r.namespace), r.name]];
  if (r.type === 'veth') return [r.a, r.b].map((e) => [loc(e.namespace), e.name]);
  return [];
};

const claimed = (c: ReturnType<typeof claims>, o: Orphan) => (o.kind === 'namespace' ? c.namespaces : c.links).has(o.name);

/** Namespaces and host links marked for a lab of store `dir` whose state does not claim them. */
export async function findOrphans(runner: Runner, dir: string): Promise<Orphan[]> {
  const namespaces = await listNamespaces(runner);
  const live = await readLive(runner, { locations: [HOST, ...namespaces] });
  const marked: Orphan[] = [];
  for (const [l, where] of live.locations) {
    if (l === HOST) {
      for (const link of where.links.values()) {
        const lab = labOf(dir, link.alias);
        if (lab !== undefined) marked.push({ kind: 'link', name: link.name, lab });
      }
      continue;
    }
    const lab = labOf(dir, where.links.get('lo')?.alias);
    if (lab !== undefined) marked.push({ kind: 'namespace', name: l, lab });
  }
  const out: Orphan[] = [];
  for (const key of new Set(marked.map((o) => o.lab))) {
    if (await isLocked(dir, key)) continue;
    const c = claims(dir, key);
    out.push(...marked.filter((o) => o.lab === key && !claimed(c, o)));
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/**
 * Removes orphans, lab by lab under the lab's lock (a lab locked meanwhile is skipped), after
 * reading its state again: `ip -force -batch -` with `link del dev NAME` and `netns del NAME`.
 * Links first, so that a veth's host end does not outlive its namespace asynchronously.
 * Returns what was removed.
 */
export async function removeOrphans(runner: Runner, dir: string, orphans: readonly Orphan[]): Promise<Orphan[]> {
  const removed: Orphan[] = [];
  for (const key of new Set(orphans.map((o) => o.lab))) {
    const lock = await tryLockLab(dir, key);
    if (!lock) continue;
    try {
      const c = claims(dir, key);
      const mine = orphans.filter((o) => o.lab === key && !claimed(c, o));
      if (!mine.length) continue;
      const lines = [
        ...mine.filter((o) => o.kind === 'link').map((o) => `link del dev ${o.name}`),
        ...mine.filter((o) => o.kind === 'namespace').map((o) => `netns del ${o.name}`),
      ];
      await runChecked(runner, ['ip', '-force', '-batch', '-'], `${lines.join('\n')}\n`);
      removed.push(...mine);
    } finally {
      await lock.release();
    }
  }
  return removed;
}

/**
 * Removes pins (see state/pins.ts) a crash or a lost state file left: all pins of a lab of store
 * `dir` without state, and those of other labs whose namespace is gone or another one now. A
 * lab whose lock is held is left alone. Returns the keys of the labs it looked at.
 */
export async function removeStalePins(runner: Runner, dir: string): Promise<string[]> {
  const done: string[] = [];
  for (const key of pinnedLabs(dir)) {
    const lock = await tryLockLab(dir, key);
    if (!lock) continue;
    try {
      if (readState(dir, key)) await unpinStale(runner, dir, key);
      else await unpin(runner, dir, key, 'all');
      done.push(key);
    } finally {
      await lock.release();
    }
  }
  return done;
}
