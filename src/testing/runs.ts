/**
 * Run directories: one per deployed test lab, under a root shared by every test process on the
 * machine (default `$NSLAB_TESTING_DIR`, else `/run/nslab/testing`), which must be the
 * user's own and writable by nobody else (it is refused otherwise, see state/trust.ts).
 *
 * `<root>/<prefix>/` is the lab's engine state directory (its `<key>.state.json` and lock) and
 * holds `owner.json`: the pid, start time and boot id of the process that deployed it. Creating
 * the directory (atomically, by renaming a filled temp directory into place) reserves the prefix,
 * so two deployments on one machine never get the same one.
 *
 * A run whose owner is dead (a killed jest worker) is swept by the next deployment: the processes
 * in its namespaces are killed and the engine destroys what its state file says it owns, which
 * the engine checks against nslab's kernel-side ownership markers. Nothing else is touched.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ownerMarker, type Resource } from '../plan/types.js';
import { destroyLab, listStates, ownerKey, readState, trustedDir, tryLockLab, unpinAllSync, type LabLock } from '../engine/index.js';

const execFileP = promisify(execFile);

/** Every test-lab prefix is `nt` and two random characters: short, so host-side names still fit. */
export const PREFIX_PATTERN = /^nt[0-9a-z]{2}$/u;
const OWNER = 'owner.json';
const SWEEP_KEY = 'sweep';
/** A run directory without an owner record younger than this may still be in the making. */
const YOUNG_MS = 60_000;

/** The root of all run directories: `$NSLAB_TESTING_DIR`, else `/run/nslab/testing` (root's, gone at reboot as the namespaces are). */
export function defaultRoot(): string {
  return process.env.NSLAB_TESTING_DIR || '/run/nslab/testing';
}

// ---- owners --------------------------------------------------------------------------------------

export interface OwnerRecord {
  readonly pid: number;
  /** Field 22 of /proc/PID/stat: tells a reused pid from the original process. */
  readonly start: string;
  /** /proc/sys/kernel/random/boot_id: after a reboot every owner is dead. */
  readonly boot: string;
  readonly since: string;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Field 22 of /proc/PID/stat; undefined when the process is gone or a zombie (it has exited). */
function startTime(pid: number): string | undefined {
  const stat = read(`/proc/${pid}/stat`);
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields && fields[0] !== 'Z' && fields[0] !== 'X' ? fields[19] : undefined;
}

const bootId = () => read('/proc/sys/kernel/random/boot_id')?.trim() ?? '';

export function selfRecord(): OwnerRecord {
  return { pid: process.pid, start: startTime(process.pid) ?? '', boot: bootId(), since: new Date().toISOString() };
}

/** Whether the process that wrote `rec` is still running (same boot, same pid, same start time). */
export function ownerAlive(rec: OwnerRecord): boolean {
  if (rec.boot !== bootId()) return false;
  const start = startTime(rec.pid);
  if (start === undefined) return false;
  return rec.start === '' || start === rec.start;
}

function readOwner(path: string): OwnerRecord | undefined {
  const text = read(path);
  if (text === undefined) return undefined;
  try {
    const rec = JSON.parse(text) as OwnerRecord;
    return typeof rec.pid === 'number' ? rec : undefined;
  } catch {
    return undefined;
  }
}

// ---- reserving a prefix ------------------------------------------------------------------------

function ipJson(args: string[]): Array<Record<string, unknown>> {
  const text = execFileSync('ip', ['-j', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return text ? (JSON.parse(text) as Array<Record<string, unknown>>) : [];
}

/** Whether any namespace or host link name starts with `prefix` (someone else's, or a leftover). */
function nameInUse(prefix: string): boolean {
  const names = [...ipJson(['netns', 'list']).map((n) => String(n.name)), ...ipJson(['link', 'show']).map((l) => String(l.ifname))];
  return names.some((n) => n.startsWith(prefix));
}

/**
 * Reserves a fresh prefix: `<root>/<prefix>/owner.json` appears atomically, or not at all.
 * `envPrefix` (NSLAB_PREFIX) goes in front of kernel names, so it is part of the name check.
 */
export function reserveRun(root: string, envPrefix = process.env.NSLAB_PREFIX ?? ''): { prefix: string; dir: string } {
  trustedDir(root, 'test run directory root');
  for (let attempt = 0; attempt < 200; attempt++) {
    const prefix = `nt${randomBytes(2).readUInt16BE(0).toString(36).padStart(2, '0').slice(-2)}`;
    const dir = join(root, prefix);
    if (read(join(dir, OWNER)) !== undefined || nameInUse(`${envPrefix}${prefix}`)) continue;
    const tmp = join(root, `.new-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(tmp, { mode: 0o700 });
    writeFileSync(join(tmp, OWNER), `${JSON.stringify(selfRecord())}\n`);
    try {
      renameSync(tmp, dir); // fails when dir exists and is not empty: someone else has it
      return { prefix, dir };
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  throw new Error(`could not reserve a lab prefix under ${root}: too many in use`);
}

/** Removes a run directory once its lab is gone. */
export function releaseRun(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

// ---- what a lab owns -----------------------------------------------------------------------------

/** Namespace names and host-side link names declared by `resources`. */
export function ownedNames(resources: Iterable<Resource>): { namespaces: string[]; hostLinks: string[] } {
  const namespaces = new Set<string>();
  const hostLinks = new Set<string>();
  for (const r of resources) {
    if (r.type === 'namespace') namespaces.add(r.name);
    if (r.type === 'bridge' && r.namespace === undefined) hostLinks.add(r.name);
    if (r.type === 'veth') for (const e of [r.a, r.b]) if (e.namespace === undefined) hostLinks.add(e.name);
  }
  return { namespaces: [...namespaces], hostLinks: [...hostLinks] };
}

function aliasSync(namespace: string | undefined, dev: string): string | undefined {
  try {
    const args = namespace === undefined ? ['link', 'show', 'dev', dev] : ['-n', namespace, 'link', 'show', 'dev', dev];
    return ipJson(args)[0]?.ifalias as string | undefined;
  } catch {
    return undefined;
  }
}

async function aliasOf(namespace: string, dev: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileP('ip', ['-j', '-n', namespace, 'link', 'show', 'dev', dev]);
    return (JSON.parse(stdout) as Array<{ ifalias?: string }>)[0]?.ifalias;
  } catch {
    return undefined;
  }
}

const pidsIn = (text: string) => text.split(/\s+/u).map(Number).filter((p) => Number.isInteger(p) && p > 0 && p !== process.pid);

/**
 * Kills (SIGKILL) every process inside `namespace`, but only when its `lo` carries the marker of
 * lab `key` (the lab made the namespace). A process left in a namespace would keep the namespace,
 * and its veths with their host-side peers, alive after `ip netns del`.
 * Equivalent to: `kill -9 $(ip netns pids <namespace>)`.
 */
export async function killNamespaceProcesses(namespace: string, key: string, dir: string): Promise<number> {
  if ((await aliasOf(namespace, 'lo')) !== ownerMarker(ownerKey(dir, key))) return 0;
  let killed = 0;
  for (let round = 0; round < 50; round++) {
    let pids: number[];
    try {
      pids = pidsIn((await execFileP('ip', ['netns', 'pids', namespace])).stdout);
    } catch {
      return killed;
    }
    if (pids.length === 0) return killed;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return killed;
}

/**
 * The last-resort teardown, synchronous so that it can run in a process 'exit' handler: kills the
 * processes in, and deletes, each namespace whose `lo` carries the lab's marker; drops the lab's
 * pins; deletes each host link whose ifalias carries it. Host routes go with their links.
 */
export function teardownSync(key: string, resources: Iterable<Resource>, dir: string): void {
  const marker = ownerMarker(ownerKey(dir, key));
  const { namespaces, hostLinks } = ownedNames(resources);
  for (const ns of namespaces) {
    if (aliasSync(ns, 'lo') !== marker) continue;
    try {
      for (const pid of pidsIn(execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // best effort: the next run's sweep retries from the state file
    }
  }
  // The lab's pins (see the engine's pins.ts) would keep the deleted namespaces alive.
  unpinAllSync(dir, key);
  for (const link of hostLinks) {
    if (aliasSync(undefined, link) !== marker) continue;
    try {
      execFileSync('ip', ['link', 'del', 'dev', link], { stdio: 'ignore' });
    } catch {
      // best effort
    }
  }
  const left = [...namespaces.filter((ns) => aliasSync(ns, 'lo') === marker), ...hostLinks.filter((l) => aliasSync(undefined, l) === marker)];
  if (left.length === 0) releaseRun(dir);
}

// ---- sweeping stale runs -------------------------------------------------------------------------

/**
 * The engine state directories of every test run under the root, live or stale (stale ones are
 * for `sweepStaleLabs`). Each is a state store of its own: its labs' markers name it, so
 * `nslab gc` on another store never takes them for orphans.
 */
export function runStateDirs(opts: { root?: string } = {}): string[] {
  const root = opts.root ?? defaultRoot();
  try {
    return readdirSync(root).filter((e) => PREFIX_PATTERN.test(e)).map((e) => join(root, e)).sort();
  } catch {
    return [];
  }
}

export interface SweepOptions {
  /** The root of the run directories. @default - `$NSLAB_TESTING_DIR`, else `/run/nslab/testing` */
  readonly root?: string;
}

export interface SweepReport {
  /** Keys (prefix + name) of the labs destroyed. */
  readonly swept: string[];
  /** Run directories that could not be swept, with the reason; they are retried next time. */
  readonly failed: Array<{ dir: string; error: string }>;
}

/** Takes `<dir>/sweep.lock` (a flock the kernel releases if this process dies), or undefined when another sweeper has it. */
const claim = (dir: string): Promise<LabLock | undefined> => tryLockLab(dir, SWEEP_KEY);

const ageMs = (path: string) => {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
};

/**
 * Destroys the labs of runs whose owner process is dead (a killed or crashed test run), from their
 * state files, and removes those run directories. Runs of live processes are never touched.
 * `deployLab` calls this once per process before its first deployment.
 */
export async function sweepStaleLabs(opts: SweepOptions = {}): Promise<SweepReport> {
  const root = opts.root ?? defaultRoot();
  const report: SweepReport = { swept: [], failed: [] };
  let entries: string[];
  trustedDir(root, 'test run directory root');
  try {
    entries = readdirSync(root);
  } catch {
    return report;
  }
  for (const entry of entries) {
    const dir = join(root, entry);
    const owner = readOwner(join(dir, OWNER));
    if (owner && ownerAlive(owner)) continue;
    if (entry.startsWith('.new-')) {
      if (owner || ageMs(dir) > YOUNG_MS) releaseRun(dir); // a reservation that never completed
      continue;
    }
    if (!PREFIX_PATTERN.test(entry)) continue;
    if (!owner && ageMs(dir) < YOUNG_MS) continue;
    let sweeping: LabLock | undefined;
    try {
      sweeping = await claim(dir);
    } catch (e) {
      report.failed.push({ dir, error: (e as Error).message });
      continue;
    }
    if (!sweeping) continue;
    try {
      for (const key of listStates(dir)) {
        const state = readState(dir, key);
        const resources = [...Object.values(state?.resources ?? {}), ...Object.values(state?.pending ?? {})];
        for (const ns of ownedNames(resources).namespaces) await killNamespaceProcesses(ns, key, dir);
        await destroyLab(key, { stateDir: dir, lockTimeoutMs: 5_000 });
        report.swept.push(key);
      }
      releaseRun(dir);
    } catch (e) {
      report.failed.push({ dir, error: (e as Error).message });
    } finally {
      await sweeping.release();
    }
  }
  return report;
}
