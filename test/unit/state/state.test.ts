import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, lchownSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { isLocked, lockLab, readState, writeState, StateError, listStates, ownerKey, DEFAULT_STATE_DIR, LockedError } from '../../../src/engine/state/state.js';
import { trustedDir, UntrustedDirError } from '../../../src/engine/state/trust.js';
import { processRunner } from '../../../src/engine/runner.js';

const dir = () => mkdtempSync(join(tmpdir(), 'nslab-state-'));
const root = process.getuid?.() === 0;
const asRoot = root ? it : it.skip;

describe('state file', () => {
  it('round-trips and leaves no temp file behind', () => {
    const d = dir();
    const s = { version: 1 as const, lab: 'rb', prefix: 'x', key: 'xrb', resources: {} };
    writeState(d, s);
    expect(readState(d, 'xrb')).toEqual(s);
    expect(readdirSync(d)).toEqual(['xrb.state.json']);
    expect(listStates(d)).toEqual(['xrb']);
  });

  it('reads a missing state as "no state" and a corrupt one as an error, never as empty', () => {
    const d = dir();
    expect(readState(d, 'nope')).toBeUndefined();
    writeFileSync(join(d, 'bad.state.json'), '{"version":1,');
    expect(() => readState(d, 'bad')).toThrow(StateError);
    expect(() => readState(d, 'bad')).toThrow(/corrupt/);
    writeFileSync(join(d, 'other.state.json'), JSON.stringify({ version: 1, key: 'someone-else', resources: {} }));
    expect(() => readState(d, 'other')).toThrow(/is not an nslab state file/);
  });

  it('names its markers after the store: bare in the default store, with a stable store hash elsewhere', () => {
    expect(ownerKey(DEFAULT_STATE_DIR, 'lab')).toBe('lab');
    expect(ownerKey(`${DEFAULT_STATE_DIR}/`, 'lab')).toBe('lab');
    const a = ownerKey('/tmp/a', 'lab');
    expect(a).toMatch(/^lab@[0-9a-f]{8}$/);
    expect(ownerKey('/tmp/a', 'lab')).toBe(a);
    expect(ownerKey('/tmp/b', 'lab')).not.toBe(a);
  });
});

describe('trusted directories', () => {
  it('creates a missing directory private (0700)', () => {
    const d = join(dir(), 'new', 'store');
    trustedDir(d, 'state directory');
    expect(existsSync(d)).toBe(true);
  });

  it('refuses a directory others can write, saying why in one line', () => {
    const d = dir();
    chmodSync(d, 0o777);
    expect(() => writeState(d, { version: 1, lab: 'x', prefix: '', key: 'x', resources: {} })).toThrow(UntrustedDirError);
    expect(() => listStates(d)).toThrow(/^refusing the state directory .*: .* can be written by any user \(mode 0777\); run chmod go-w on it$/);
  });

  asRoot('refuses a directory another user owns, and a symlink another user made', () => {
    const d = dir();
    const theirs = join(d, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 65534, 65534);
    expect(() => trustedDir(theirs, 'state directory')).toThrow(/owned by uid 65534, not by uid 0/);
    const link = join(d, 'link');
    const target = join(d, 'target');
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, link);
    lchownSync(link, 65534, 65534);
    expect(() => trustedDir(link, 'state directory')).toThrow(/is a symlink owned by uid 65534/);
  });

  asRoot('refuses a directory whose parent others can write (not sticky)', () => {
    const d = dir();
    chmodSync(d, 0o777);
    const inner = join(d, 'inner');
    mkdirSync(inner, { mode: 0o700 });
    expect(() => trustedDir(inner, 'state directory')).toThrow(/its parent .* can be written by others \(mode 0777\)/);
    chmodSync(d, 0o1777);
    expect(trustedDir(inner, 'state directory')).toBe(inner);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lab lock', () => {
  it('refuses a second holder, naming the pid, and frees on release', async () => {
    const d = dir();
    const lock = await lockLab(d, 'rb');
    await expect(lockLab(d, 'rb', 150)).rejects.toThrow(new RegExp(`lab rb is locked by pid ${process.pid} \\(since .*\\) after waiting 0.15 s`));
    expect(await isLocked(d, 'rb')).toBe(true);
    await lock.release();
    expect(await isLocked(d, 'rb')).toBe(false);
    await (await lockLab(d, 'rb')).release();
  });

  it('is not blocked by a lock file that names a live, unrelated process (as after a reboot)', async () => {
    const d = dir();
    writeFileSync(join(d, 'rb.lock'), JSON.stringify({ pid: 1, since: '2020-01-01T00:00:00Z' }));
    const lock = await lockLab(d, 'rb');
    expect(JSON.parse(readFileSync(join(d, 'rb.lock'), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('is released by the kernel when its holder is killed, even while the holder is an unreaped zombie', async () => {
    const d = dir();
    const path = join(d, 'rb.lock');
    // sh starts the holder in the background and does not reap it while its foreground sleep runs.
    const sh = spawn('sh', ['-c', 'flock -o "$1" sleep 600 & echo $!; exec sleep 600', 'sh', path], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    try {
      const pid = Number(await new Promise<string>((r) => sh.stdout.once('data', (b: Buffer) => r(b.toString()))));
      while (!(await isLocked(d, 'rb'))) await sleep(20);
      await expect(lockLab(d, 'rb')).rejects.toThrow(LockedError);
      process.kill(pid, 'SIGKILL');
      let state = '';
      for (let i = 0; i < 100 && state !== 'Z'; i++, await sleep(20)) {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      }
      expect(state).toBe('Z');
      await (await lockLab(d, 'rb')).release();
    } finally {
      process.kill(-sh.pid!, 'SIGKILL');
    }
  });

  it('is held by the children started with its descriptor until they end', async () => {
    // Started directly (no launcher, as where there is no perl): a launcher would end its
    // children when the lock is released (launcher.test.ts covers that way).
    process.env.NSLAB_LAUNCHER = '0';
    try {
      const d = dir();
      const lock = await lockLab(d, 'rb');
      const child = processRunner.run(['sleep', '0.6'], '', { holdFd: lock.fd });
      await lock.release();
      await expect(lockLab(d, 'rb')).rejects.toThrow(LockedError);
      await child;
      await (await lockLab(d, 'rb')).release();
    } finally {
      delete process.env.NSLAB_LAUNCHER;
    }
  });

  it('lets one holder in at a time among many waiters, and different labs at the same time', async () => {
    const d = dir();
    let inside = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 12 }, async () => {
      const lock = await lockLab(d, 'rb', 20_000);
      inside++;
      most = Math.max(most, inside);
      await sleep(10);
      inside--;
      await lock.release();
    }));
    expect(most).toBe(1);
    const a = await lockLab(d, 'a');
    const b = await lockLab(d, 'b');
    await a.release();
    await b.release();
  });
});
