/**
 * The per-lab state file (what the lab owns) and the per-lab lock.
 *
 * Files: `<dir>/<key>.state.json` and `<dir>/<key>.lock`, where dir defaults to /var/lib/nslab
 * (env NSLAB_STATE_DIR overrides) and key is the lab's prefix + name.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PriorResource } from '../diff/diff.js';
import type { Resource } from '../plan/types.js';

export const STATE_VERSION = 1;

export interface LabState {
  readonly version: typeof STATE_VERSION;
  readonly lab: string;
  readonly prefix: string;
  readonly key: string;
  /** What the last successful apply made the kernel match. */
  readonly resources: Record<string, Resource>;
  /** Set while an apply runs: what it may create. Cleared when it succeeds. */
  readonly pending?: Record<string, Resource>;
}

/** A state file that exists but cannot be read: never silently treated as "nothing owned". */
export class StateError extends Error {
  override name = 'StateError';
}

export function stateDir(): string {
  return process.env.NSLAB_STATE_DIR || '/var/lib/nslab';
}

const statePath = (dir: string, key: string) => join(dir, `${key}.state.json`);

export function readState(dir: string, key: string): LabState | undefined {
  let text: string;
  try {
    text = readFileSync(statePath(dir, key), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateError(`cannot read the state of lab "${key}" at ${statePath(dir, key)}: ${(e as Error).message}`);
  }
  let s: LabState;
  try {
    s = JSON.parse(text) as LabState;
  } catch {
    throw new StateError(`the state file of lab "${key}" (${statePath(dir, key)}) is corrupt (not JSON); nothing was changed`);
  }
  if (s?.version !== STATE_VERSION || s.key !== key || typeof s.resources !== 'object' || s.resources === null) {
    throw new StateError(`the state file of lab "${key}" (${statePath(dir, key)}) is not an nslab state file of version ${STATE_VERSION}; nothing was changed`);
  }
  return s;
}

/** Atomic replace: write a temp file, fsync it, rename over the old one. */
export function writeState(dir: string, state: LabState): void {
  mkdirSync(dir, { recursive: true });
  const path = statePath(dir, state.key);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function removeState(dir: string, key: string): void {
  rmSync(statePath(dir, key), { force: true });
}

/** Keys of all labs with a state file in `dir`. */
export function listStates(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.state.json')).map((f) => f.slice(0, -'.state.json'.length)).sort();
  } catch {
    return [];
  }
}

/** Everything the state says the lab may own, as the diff wants it. */
export function priorOf(state: LabState | undefined): PriorResource[] {
  if (!state) return [];
  const out: PriorResource[] = Object.entries(state.resources).map(([id, resource]) => ({ id, resource }));
  for (const [id, resource] of Object.entries(state.pending ?? {})) out.push({ id, resource, pending: true });
  return out;
}

// ---- lock ----------------------------------------------------------------------------------------

export class LockedError extends Error {
  override name = 'LockedError';
}

interface LockInfo {
  pid: number;
  since: string;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the lab's exclusive lock (O_EXCL file holding pid and start time). A lock whose process
 * is gone is taken over. Waits up to `timeoutMs` for a live holder, then throws LockedError.
 * Returns the release function.
 */
export async function lockLab(dir: string, key: string, timeoutMs = 0): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${key}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() } satisfies LockInfo));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let info: LockInfo | undefined;
    try {
      info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    } catch {
      info = undefined; // being written, or garbage: treated below
    }
    if (!info || typeof info.pid !== 'number' || !alive(info.pid)) {
      if (info || Date.now() > deadline) rmSync(path, { force: true });
      else await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    if (Date.now() >= deadline) throw new LockedError(`lab ${key} is locked by pid ${info.pid} since ${info.since}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
