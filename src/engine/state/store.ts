/**
 * Where a lab's records and lock live, for callers that work one resource at a time (the
 * Terraform provider): this machine's state directory (localStore), or another machine's, reached
 * over SSH (remote/store.ts). Both keep the same files: `<dir>/<key>.state.json` and
 * `<dir>/<key>.lock`, so `nslab show` and `nslab gc` run on that machine see the records.
 */
import type { Resource } from '../../plan/types.js';
import { withRunOptions, type Runner } from '../runner.js';
import { listStates, lockLab, ownerKey, readState, removeState, writeState, type LabState } from './state.js';
import { claimsAmong } from './sysctls.js';

/** A lab lock held through a store, and the runner whose children run under it. */
export interface HeldLock {
  readonly runner: Runner;
  release(): Promise<void>;
}

export interface StateStore {
  /** Where the records are, for messages: a directory, or `user@host:directory`. */
  readonly where: string;
  /** The owner name kernel markers carry for lab `key` (see ownerKey). */
  owner(key: string): string;
  read(key: string): Promise<LabState | undefined>;
  write(state: LabState): Promise<void>;
  remove(key: string): Promise<void>;
  /** Keys of all labs with records here. */
  list(): Promise<string[]>;
  /** Takes lab `key`'s lock, waiting up to `waitMs`; `runner` runs the work done under it. */
  lock(key: string, waitMs: number, runner: Runner): Promise<HeldLock>;
}

/** The state directory `dir` of this machine (see state.ts and lock.ts). */
export function localStore(dir: string): StateStore {
  return {
    where: dir,
    owner: (key) => ownerKey(dir, key),
    read: async (key) => readState(dir, key),
    write: async (state) => writeState(dir, state),
    remove: async (key) => removeState(dir, key),
    list: async () => listStates(dir),
    async lock(key, waitMs, runner) {
      const lock = await lockLab(dir, key, waitMs);
      return { runner: withRunOptions(runner, { holdFd: lock.fd }), release: () => lock.release() };
    },
  };
}

/**
 * Host sysctl key -> the key of another lab of `store` whose state (applied or pending) declares
 * it, for the host sysctls among `resources` (see state/sysctls.ts: hostSysctlClaims).
 */
export async function sysctlClaims(store: StateStore, key: string, resources: Iterable<Resource>): Promise<Map<string, string>> {
  const rs = [...resources];
  if (!rs.some((r) => r.type === 'sysctl')) return new Map();
  const others = (await store.list()).filter((k) => k !== key);
  const states = new Map(await Promise.all(others.map(async (k) => [k, await store.read(k)] as const)));
  return claimsAmong(key, rs, others, (k) => states.get(k));
}
