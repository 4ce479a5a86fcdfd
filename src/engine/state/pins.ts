/**
 * Pins: nslab's own bind mount of each namespace a lab owns, under
 * `<NSLAB_PIN_DIR or /run/nslab/pins>/<store hash>/<lab key>/<namespace>`, made right after an
 * apply has seen the lab's marker on the namespace's lo. While a pin exists the namespace it
 * holds stays alive, so no other namespace can get its nsfs inode: a `/run/netns/NAME` with the
 * pin's device and inode is the very namespace nslab marked, proven by two stat calls and no
 * process. Anything else (no pin, another inode: deleted and made again by hand) is read and
 * checked by its marker as before.
 *
 * Costs, weighed in README (How it works): a namespace deleted out of band lives on while it is
 * pinned (with its veths), until the lab's next apply or destroy finds the pin stale and removes
 * it; every pin is one more line in the mount table (see inLocation); a crash can leave pins,
 * which the next apply, destroy or `nslab gc` removes. The lab's pin directory is bound onto
 * itself so that one `umount -l` drops all of its pins at once.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Runner } from '../runner.js';

export const pinRoot = () => resolve(process.env.NSLAB_PIN_DIR ?? '/run/nslab/pins');
const hashes = new Map<string, string>();
const storeHash = (stateDir: string) => {
  let h = hashes.get(stateDir);
  if (h === undefined) hashes.set(stateDir, (h = createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 8)));
  return h;
};

/** The directory holding a lab's pins. */
export const pinDir = (stateDir: string, key: string) => join(pinRoot(), storeHash(stateDir), key);

/** Names that fstab and umount take as they are (others are not pinned: they are read as before). */
const PINNABLE = /^[A-Za-z0-9._@:+-]+$/u;

/** Mount points of this mount namespace (fstab-style escapes undone). */
function mountPoints(): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ')[4];
    if (f) out.add(f.replace(/\\([0-7]{3})/gu, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

/** Whether `d` or anything below it is a mount point (a lab's pin directory holds its pins). */
const mountedUnder = (d: string, mounts = mountPoints()) => [...mounts].some((m) => m === d || m.startsWith(`${d}/`));

const statOf = (p: string) => {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
};

/** Whether `/run/netns/<ns>` is the namespace the lab's pin holds. No process. */
export function pinnedSame(stateDir: string, key: string, ns: string): boolean {
  return pinned(stateDir, key, [ns]).has(ns);
}

/** Those of `names` whose `/run/netns/<ns>` is the namespace the lab's pin holds (see pinnedSame). */
export function pinned(stateDir: string, key: string, names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const d = pinDir(stateDir, key);
  const dir = statOf(d);
  if (!dir) return out;
  for (const ns of names) {
    const pin = statOf(join(d, ns));
    const live = pin && statOf(`/run/netns/${ns}`);
    // A pin is a mount: its device differs from its directory's (an empty file does not).
    if (pin && live && pin.dev !== dir.dev && pin.dev === live.dev && pin.ino === live.ino) out.add(ns);
  }
  return out;
}

/** The pins a lab has (names of files in its pin directory). */
function pinsOf(stateDir: string, key: string): string[] {
  const d = pinDir(stateDir, key);
  return existsSync(d) ? readdirSync(d) : [];
}

/**
 * Pins those of `names` that are not pinned yet (one `mount -a -T FSTAB` process, none when all
 * are). Equivalent to: `mount --bind /run/netns/NS PIN` for each. A pin that could not be made is
 * only a missing proof: its namespace is read and checked as before.
 */
export async function pin(runner: Runner, stateDir: string, key: string, names: Iterable<string>): Promise<void> {
  const d = pinDir(stateDir, key);
  const candidates = [...names].filter((ns) => PINNABLE.test(ns) && PINNABLE.test(key));
  const have = pinned(stateDir, key, candidates);
  const want = candidates.filter((ns) => !have.has(ns));
  if (!want.length) return;
  mkdirSync(d, { recursive: true, mode: 0o700 });
  const mounts = mountPoints();
  const lines = mounts.has(d) ? [] : [`${d} ${d} none bind 0 0`];
  for (const ns of want) {
    const target = join(d, ns);
    if (mounts.has(target)) continue; // a stale pin: unpinStale removes it first
    if (!existsSync(target)) writeFileSync(target, '', { flag: 'a', mode: 0o600 });
    lines.push(`/run/netns/${ns} ${target} none bind 0 0`);
  }
  const fstab = `${d}.fstab`;
  writeFileSync(fstab, `${lines.join('\n')}\n`, { mode: 0o600 });
  try {
    await runner.run(['mount', '-a', '-T', fstab]);
  } finally {
    rmSync(fstab, { force: true });
  }
}

/**
 * Creates the files pins are mounted on (empty files in the lab's pin directory), off nslab's main
 * thread: where /run is on a disk each create costs a fraction of a millisecond, so an apply
 * starts this before its writes and pin() finds them made. An empty file proves nothing (see
 * pinnedSame); one left by an apply that failed is removed with the lab's stale pins. Never rejects.
 */
export async function preparePins(stateDir: string, key: string, names: Iterable<string>): Promise<void> {
  if (!PINNABLE.test(key)) return;
  const d = pinDir(stateDir, key);
  try {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    const made = new Set(readdirSync(d));
    await Promise.all([...names].filter((ns) => PINNABLE.test(ns) && !made.has(ns)).map((ns) => writeFile(join(d, ns), '', { flag: 'a', mode: 0o600 })));
  } catch {
    // pin() makes what is missing
  }
}

/**
 * Removes pins: the named ones (`umount -l PIN…`), or all of the lab's (`umount -l DIR`, one
 * target whatever their number). Before a pinned namespace is deleted: a pin would keep it alive.
 */
export async function unpin(runner: Runner, stateDir: string, key: string, names: Iterable<string> | 'all'): Promise<void> {
  const d = pinDir(stateDir, key);
  const listed = names === 'all' ? undefined : [...names];
  if (listed?.length === 0 || !existsSync(d)) return;
  const mounts = mountPoints();
  if (names === 'all') {
    if (mountedUnder(d, mounts)) await runner.run(['umount', '-l', d]);
    // Gone at once (one rename); its files are removed off nslab's main thread, while the
    // destroy goes on (each unlink costs a fraction of a millisecond where /run is on a disk).
    const gone = `${d}${GONE}${process.pid}`;
    try {
      renameSync(d, gone);
    } catch {
      rmSync(d, { recursive: true, force: true });
      return;
    }
    void rm(gone, { recursive: true, force: true }).then(() => rmdirSync(dirname(d))).catch(() => undefined); // the store's directory goes when this was its last lab
    return;
  }
  const gone = listed!.map((ns) => join(d, ns)).filter((p) => existsSync(p));
  const mounted = gone.filter((p) => mounts.has(p));
  if (mounted.length) await runner.run(['umount', '-l', ...mounted]);
  for (const p of gone) rmSync(p, { force: true });
  // No pin left: the directory's own bind goes too.
  if (readdirSync(d).length === 0) await unpin(runner, stateDir, key, 'all');
}

/**
 * All of a lab's pins, removed synchronously (for a process-exit handler, where nothing async
 * runs: nslab/testing's last resort). Equivalent to: `umount -l DIR; rm -r DIR DIR.fstab`. Pins
 * left behind would keep the lab's deleted namespaces alive, out of sight of `ip netns list`.
 */
export function unpinAllSync(stateDir: string, key: string): void {
  const d = pinDir(stateDir, key);
  if (mountedUnder(d)) {
    // Not removed while still mounted: a directory with mounts under it is left as it is.
    if (spawnSync('umount', ['-l', d], { stdio: 'ignore' }).status !== 0) return;
  }
  rmSync(d, { recursive: true, force: true });
  rmSync(`${d}.fstab`, { force: true });
  try {
    rmdirSync(dirname(d)); // the store's directory goes when this was its last lab
  } catch {
    // other labs of the store still have pins
  }
}

/**
 * Removes pins whose namespace is gone from /run/netns or is another one now. Returns the names
 * whose pins stand: the namespaces proven the lab's (see pinnedSame).
 */
export async function unpinStale(runner: Runner, stateDir: string, key: string): Promise<Set<string>> {
  const pins = pinsOf(stateDir, key);
  const good = pinned(stateDir, key, pins);
  const stale = pins.filter((ns) => !good.has(ns));
  if (stale.length) await unpin(runner, stateDir, key, stale);
  return good;
}

/** Lab keys with a pin directory in the store `stateDir` (for gc: pins of labs without state). */
export function pinnedLabs(stateDir: string): string[] {
  const d = join(pinRoot(), storeHash(stateDir));
  if (!existsSync(d)) return [];
  const names = readdirSync(d);
  // A pin directory an unpin had renamed away before nslab ended: nothing is mounted there.
  for (const f of names.filter((n) => n.includes(GONE))) rmSync(join(d, f), { recursive: true, force: true });
  return names.filter((f) => !f.endsWith('.fstab') && !f.includes(GONE));
}

/** The suffix (with a pid) of a lab's pin directory being removed. */
const GONE = '.gone.';
