/**
 * The per-lab state file (what the lab owns) and the per-lab lock.
 *
 * Files: `<dir>/<key>.state.json` and `<dir>/<key>.lock`, where dir defaults to /var/lib/nslab
 * (env NSLAB_STATE_DIR overrides) and key is the lab's prefix + name.
 */
import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { PriorResource } from '../diff/diff.js';
import type { Resource } from '../../plan/types.js';
import { trustedDir } from './trust.js';

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
  /**
   * Which front-end changes the lab: absent for `nslab apply` (and the test fixtures),
   * `terraform` for a lab deployed through the provider nslab/netns, one resource at a time.
   */
  readonly managedBy?: 'terraform';
  /** Namespace -> sysctl -> the value found before nslab first set it (restored when no longer declared). */
  readonly sysctlsFound?: Record<string, Record<string, string>>;
}

/** A state file that exists but cannot be read: never silently treated as "nothing owned". */
export class StateError extends Error {
  override name = 'StateError';
}

export function stateDir(): string {
  return process.env.NSLAB_STATE_DIR || DEFAULT_STATE_DIR;
}

const statePath = (dir: string, key: string) => join(dir, `${key}.state.json`);

export function readState(dir: string, key: string): LabState | undefined {
  let text: string;
  trustedDir(dir, 'state directory');
  try {
    text = readFileSync(statePath(dir, key), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateError(`cannot read the state of lab "${key}" at ${statePath(dir, key)}: ${(e as Error).message}`);
  }
  return parseState(text, key, statePath(dir, key));
}

/** A state file's text as a LabState of lab `key`; StateError when it is not one (`where` names the file). */
export function parseState(text: string, key: string, where: string): LabState {
  let s: LabState;
  try {
    s = JSON.parse(text) as LabState;
  } catch {
    throw new StateError(`the state file of lab "${key}" (${where}) is corrupt (not JSON); nothing was changed`);
  }
  if (s?.version !== STATE_VERSION || s.key !== key || typeof s.resources !== 'object' || s.resources === null) {
    throw new StateError(`the state file of lab "${key}" (${where}) is not an nslab state file of version ${STATE_VERSION}; nothing was changed`);
  }
  return s;
}

/** Atomic replace: write a temp file, fsync it, rename over the old one. */
export function writeState(dir: string, state: LabState): void {
  trustedDir(dir, 'state directory');
  const path = statePath(dir, state.key);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, stateText(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** A state file's text. */
export const stateText = (state: LabState): string => `${JSON.stringify(state, null, 2)}\n`;

export function removeState(dir: string, key: string): void {
  rmSync(statePath(dir, key), { force: true });
}

/** Keys of all labs with a state file in `dir`. */
export function listStates(dir: string): string[] {
  trustedDir(dir, 'state directory');
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

export { lockLab, tryLockLab, isLocked, LockedError, type LabLock } from './lock.js';

/** The state store the CLI uses unless NSLAB_STATE_DIR says otherwise. */
export const DEFAULT_STATE_DIR = '/var/lib/nslab';

/**
 * The owner a lab's kernel markers name: `key` for a lab of the default store, `key@<8 hex>`
 * (a hash of the store's absolute path) for a lab of any other store. So `nslab gc` run against
 * one store never mistakes another store's labs for its own orphans.
 */
export function ownerKey(dir: string, key: string): string {
  const abs = resolve(dir);
  return abs === DEFAULT_STATE_DIR ? key : `${key}@${createHash('sha256').update(abs).digest('hex').slice(0, 8)}`;
}
