/**
 * The per-lab lock: `flock(2)` on `<dir>/<key>.lock`. Where nslab runs its processes through a
 * launcher (launcher.ts), the launcher opens the file and takes the lock, and holds it until it
 * ends, which it does with nslab (at EOF on its stdin); elsewhere util-linux `flock` takes it on
 * a descriptor nslab keeps open. The kernel releases it when the last holder of that open file
 * ends, however it ends: no pid check, no takeover, nothing stale after a crash or a reboot.
 * Children started under the lock inherit the descriptor (RunOptions.holdFd names the lock), so
 * an `ip` that outlives a killed nslab keeps the lab locked until it ends. The lock file is never removed
 * (removing it would let two processes lock two different files); its content, the holder's pid
 * and start, is only for messages.
 */
import { spawn } from 'node:child_process';
import { closeSync, constants, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { trustedDir } from './trust.js';
import { holdWith, launcherForLock, releaseHold } from '../runner.js';
import type { Launcher } from '../launcher.js';

export class LockedError extends Error {
  override name = 'LockedError';
}

export interface LabLock {
  /**
   * The lock file as nslab has it open; it names the lock in RunOptions.holdFd. Children run with
   * it hold the lock: through the launcher that took it, or by inheriting this descriptor.
   */
  readonly fd: number;
  /**
   * Releases the lock (idempotent): the launcher that took it (see launcher.ts) ends, and nslab's
   * descriptor is closed. Settles when the lock is free (unless a child still holds it).
   */
  release(): Promise<void>;
}

const FLOCK = ['/usr/bin/flock', '/bin/flock'].find((p) => existsSync(p));
const BUSY = 75;
/** A holder that is gone may leave children that still hold the lock for a moment (they are killed with it). */
const GRACE_MS = 5_000;

/** `flock -x` (util-linux) on the inherited descriptor: 0 when taken, BUSY when not within `ms`. */
function flock(fd: number, ms: number): Promise<number> {
  if (!FLOCK) throw new Error('nslab needs util-linux flock (/usr/bin/flock) for its lab locks');
  const wait = ms > 0 ? ['-w', String(ms / 1000)] : ['-n'];
  return new Promise((resolve, reject) => {
    const child = spawn(FLOCK, ['-x', ...wait, '-E', String(BUSY), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 || code === BUSY ? resolve(code) : reject(new Error(`flock failed (exit ${code}): ${err.trim()}`))));
  });
}

/** How often a waiting nslab tries the lock again through its launcher. */
const RETRY_MS = 50;

/** The launcher's flock, tried again every RETRY_MS for up to `ms`: 0 when taken, BUSY when not. */
async function lockThrough(launcher: Launcher, path: string, ms: number): Promise<number> {
  const end = Date.now() + ms;
  for (;;) {
    if ((await launcher.lock(path)) === 'taken') return 0;
    const left = end - Date.now();
    if (left <= 0) return BUSY;
    await new Promise((r) => setTimeout(r, Math.min(RETRY_MS, left)));
  }
}

interface Holder {
  readonly pid: number;
  readonly since: string;
}

function holderOf(path: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Holder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` has ended (gone, or a zombie waiting to be reaped). */
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

/**
 * Takes the lab's exclusive lock, waiting up to `timeoutMs` for another holder. When the
 * recorded holder has ended, it also waits up to a few seconds for children it left (a killed
 * nslab's last `ip`, killed with it). Throws LockedError when the lock stays taken.
 */
export async function lockLab(dir: string, key: string, timeoutMs = 0): Promise<LabLock> {
  const path = join(trustedDir(dir, 'state directory'), `${key}.lock`);
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  // Where there is a launcher, it takes the lock and holds it for the run (see launcher.ts);
  // elsewhere nslab's own descriptor holds it, through flock(1).
  const launcher = launcherForLock();
  const attempt = (ms: number) => (launcher ? lockThrough(launcher, path, ms) : flock(fd, ms));
  try {
    let code = await attempt(timeoutMs);
    const holder = holderOf(path);
    if (code === BUSY && holder && ended(holder.pid)) code = await attempt(GRACE_MS);
    if (code === BUSY) {
      const who = holder && !ended(holder.pid) ? `pid ${holder.pid} (since ${holder.since})` : 'another process';
      throw new LockedError(`lab ${key} is locked by ${who}${timeoutMs ? ` after waiting ${timeoutMs / 1000} s` : ''}; use --lock-timeout SEC to wait`);
    }
  } catch (e) {
    await launcher?.close();
    closeSync(fd);
    throw e;
  }
  if (launcher) holdWith(fd, launcher);
  ftruncateSync(fd, 0);
  writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() } satisfies Holder), 0);
  let held = true;
  return {
    fd,
    async release() {
      if (!held) return;
      held = false;
      try {
        await releaseHold(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Whether another process holds the lab's lock right now (a lab mid-apply). */
export async function isLocked(dir: string, key: string): Promise<boolean> {
  const path = join(dir, `${key}.lock`);
  if (!existsSync(path)) return false;
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return (await flock(fd, 0)) === BUSY;
  } finally {
    closeSync(fd);
  }
}

/** The lab's lock when it is free now; undefined when another process holds it. */
export async function tryLockLab(dir: string, key: string): Promise<LabLock | undefined> {
  try {
    return await lockLab(dir, key, 0);
  } catch (e) {
    if (e instanceof LockedError) return undefined;
    throw e;
  }
}
