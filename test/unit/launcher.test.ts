/**
 * The launcher (src/engine/launcher.ts): output, exit codes, deadlines, the lock's descriptor, and its
 * children killed when nslab is killed. Real processes; no kernel objects.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Launcher } from '../../src/engine/launcher.js';
import { processRunner, releaseHold } from '../../src/engine/runner.js';
import { isLocked, lockLab, LockedError } from '../../src/engine/state/lock.js';

const DIST = new URL('../../dist/src/engine/', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX] /u.test(stat);
  } catch {
    return false;
  }
};
/** Whether the lock is held, by flock(1) -n on a fresh descriptor (no launcher). */
const isLockedSync = (d: string, key: string) => spawnSync('flock', ['-n', '-E', '75', join(d, `${key}.lock`), 'true']).status === 75;
const command = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!;
const parentOf = (pid: number) => Number(/^\S+ \(.*\) \S (\d+) /u.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))![1]);
/** The launcher that started the child whose parent is `ppid`: that parent, or the parent of its dash. */
const launcherOf = (ppid: number) => (/dash$/u.test(command(ppid)) ? parentOf(ppid) : ppid);
const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
  return cond();
};

describe('the launcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-launcher-'));
  const launcher = new Launcher();
  afterAll(async () => {
    await launcher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands back stdout, stderr and the exit code, and feeds the input to stdin', async () => {
    const r = await launcher.run({ argv: ['sh', '-c', 'cat; echo oops >&2; exit 3'], input: 'hello\n', ms: 10_000 });
    expect(r).toEqual({ code: 3, signal: null, timedOut: false, stdout: 'hello\n', stderr: 'oops\n' });
  });

  it('passes argv words as they are, never through a shell', async () => {
    const r = await launcher.run({ argv: ['echo', '$(id); `x` | y > z'], ms: 10_000 });
    expect(r.stdout).toBe('$(id); `x` | y > z\n');
  });

  it('rejects a command that cannot be started, and goes on', async () => {
    await expect(launcher.run({ argv: [join(dir, 'no-such-command')], ms: 10_000 })).rejects.toThrow(/ENOENT/);
    expect((await launcher.run({ argv: ['true'], ms: 10_000 })).code).toBe(0);
  });

  it('kills the whole process group of a child whose deadline passes', async () => {
    const pidFile = join(dir, 'bg.pid');
    const r = await launcher.run({ argv: ['sh', '-c', `sleep 61 & echo $! > ${pidFile}; wait`], ms: 300 });
    expect(r.timedOut).toBe(true);
    const bg = Number(readFileSync(pidFile, 'utf8'));
    expect(await until(() => !alive(bg), 2000)).toBe(true);
  });

  /** Start and end of each of `n` children (`sleep S`), asked for all at once, in ns of the clock. */
  const spans = async (l: Launcher, n: number, s: string) => {
    const rs = await Promise.all(Array.from({ length: n }, (_, i) => l.run({ argv: ['sh', '-c', `date +%s%N; sleep ${s}; echo ${i}; date +%s%N`], ms: 10_000 })));
    return rs.map((r) => r.stdout.trim().split('\n')).map(([a, i, b]) => ({ i: Number(i), start: BigInt(a!), end: BigInt(b!) }));
  };

  it('runs one child at a time by default, in the order asked, and keeps each answer with its request', async () => {
    const got = await spans(launcher, 6, '0.05');
    expect(got.map((g) => g.i)).toEqual([0, 1, 2, 3, 4, 5]);
    for (let k = 1; k < got.length; k++) expect(got[k]!.start >= got[k - 1]!.end).toBe(true);
  });

  it('runs children side by side with NSLAB_PARALLEL (0: no limit), each answer with its request', async () => {
    const before = process.env.NSLAB_PARALLEL;
    for (const [value, n] of [['0', 20], ['3', 9]] as const) {
      process.env.NSLAB_PARALLEL = value;
      const l = new Launcher();
      if (before === undefined) delete process.env.NSLAB_PARALLEL;
      else process.env.NSLAB_PARALLEL = before;
      try {
        const got = await spans(l, n, '0.3');
        expect(got.map((g) => g.i)).toEqual(Array.from({ length: n }, (_, i) => i));
        // How many ran at the moment each one started.
        const most = Math.max(...got.map((g) => got.filter((o) => o.start <= g.start && o.end > g.start).length));
        if (value === '0') expect(most).toBeGreaterThan(3);
        else expect(most).toBe(3);
      } finally {
        await l.close();
      }
    }
  });

  it('keeps to one CPU with its children when it runs one child at a time, and to all it may use when children run side by side', async () => {
    const allowed = (text: string) => /^Cpus_allowed_list:\s*(\S+)$/mu.exec(text)?.[1];
    const mine = allowed(readFileSync('/proc/self/status', 'utf8'))!;
    const child = async (l: Launcher) => allowed((await l.run({ argv: ['cat', '/proc/self/status'], ms: 5000 })).stdout);
    const several = /[-,]/u.test(mine);
    // One CPU: the first this process may use (several: a pinned launcher would keep them apart).
    expect(await child(launcher)).toBe(several ? /^\d+/u.exec(mine)![0] : mine);
    expect(allowed(readFileSync(`/proc/${launcher.pid}/status`, 'utf8'))).toBe(await child(launcher));
    const before = process.env.NSLAB_PARALLEL;
    process.env.NSLAB_PARALLEL = '2';
    const l = new Launcher();
    if (before === undefined) delete process.env.NSLAB_PARALLEL;
    else process.env.NSLAB_PARALLEL = before;
    try {
      expect(await child(l)).toBe(mine);
    } finally {
      await l.close();
    }
  });

  it('reports a command whose exec fails in the child (exit 127, the reason on stderr), and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-exec-'));
    try {
      // Executable, but its interpreter does not exist: execve fails in the child.
      writeFileSync(join(dir, 'plain'), '#!/nonexistent/interpreter\n', { mode: 0o755 });
      const r = await launcher.run({ argv: [join(dir, 'plain')], ms: 5000 });
      expect(r.code).toBe(127);
      expect(r.stderr).toMatch(/plain.*: (No such file or directory|not found)/u);
      expect((await launcher.run({ argv: ['echo', 'still here'], ms: 5000 })).stdout).toBe('still here\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("counts a child's deadline from its start: a request waiting its turn behind a slow child is not killed for the wait", async () => {
    const first = launcher.run({ argv: ['sleep', '1'], ms: 10_000 });
    const queued = await launcher.run({ argv: ['sh', '-c', 'echo ran'], ms: 300 });
    expect(queued).toMatchObject({ code: 0, timedOut: false, stdout: 'ran\n' });
    expect((await first).code).toBe(0);
    // A child that overruns its own deadline is still killed.
    const slow = launcher.run({ argv: ['sleep', '1'], ms: 10_000 });
    expect(await launcher.run({ argv: ['sleep', '5'], ms: 300 })).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect((await slow).code).toBe(0);
  });

  it('starts the next children while nslab is busy: answers wait in the launcher, not in a full pipe', async () => {
    // Each answer is larger than a pipe holds; nslab reads nothing while it is busy.
    const runs = Array.from({ length: 4 }, () => launcher.run({ argv: ['sh', '-c', 'date +%s%N; head -c 300000 /dev/zero'], ms: 10_000 }));
    const busyUntil = Date.now() + 1500;
    while (Date.now() < busyUntil); // nslab's main thread, busy
    const rs = await Promise.all(runs);
    const started = rs.map((r) => Number(BigInt(r.stdout.slice(0, r.stdout.indexOf('\n'))) / 1_000_000n));
    expect(rs.map((r) => r.stdout.length)).toEqual(rs.map((r) => r.stdout.indexOf('\n') + 1 + 300_000));
    expect(Math.max(...started)).toBeLessThan(busyUntil);
  });

  it('takes the lab lock itself and lends it to the children of the locked run; released, the lock is free', async () => {
    const lock = await lockLab(dir, 'held');
    const holds = (r: { stdout: string }) => r.stdout.split('\n').includes(join(dir, 'held.lock'));
    const fds = ['sh', '-c', 'echo $PPID; for f in /proc/self/fd/*; do readlink "$f"; done'];
    try {
      // The launcher took the lock: nslab's own descriptor is not what holds it.
      expect(await isLocked(dir, 'held')).toBe(true);
      const r = await processRunner.run(fds, '', { holdFd: lock.fd });
      const ppid = launcherOf(Number(r.stdout.split('\n')[0]));
      expect(ppid).not.toBe(process.pid);
      expect(command(ppid)).toMatch(/perl$/u);
      expect(holds(r)).toBe(true);
      // Without the hold, a child has no descriptor of the lock.
      expect(holds(await processRunner.run(fds, ''))).toBe(false);
      // A second nslab cannot take it.
      await expect(lockLab(dir, 'held')).rejects.toThrow(LockedError);
    } finally {
      await releaseHold(lock.fd);
      await lock.release();
    }
    expect(await isLocked(dir, 'held')).toBe(false);
  });

  it('runs nothing more for a lock whose launcher has ended (the lock went with it)', async () => {
    const lock = await lockLab(dir, 'lost');
    try {
      const r = await processRunner.run(['sh', '-c', 'echo $PPID'], '', { holdFd: lock.fd });
      process.kill(launcherOf(Number(r.stdout.trim())), 'SIGKILL');
      expect(await until(() => !isLockedSync(dir, 'lost'), 5000)).toBe(true);
      await sleep(50);
      await expect(processRunner.run(['true'], '', { holdFd: lock.fd })).rejects.toThrow(/the lab lock is lost/);
    } finally {
      await releaseHold(lock.fd);
      await lock.release();
    }
  });

  it('carries large input and output (more than a pipe holds) and bytes that are not ASCII', async () => {
    const input = `${'é☃ netns add x\n'.repeat(40_000)}`;
    const r = await launcher.run({ argv: ['sh', '-c', 'cat; cat >&2 <<EOF\nünïcode\nEOF'], input, ms: 10_000 });
    expect(r.stdout).toBe(input);
    expect(r.stderr).toBe('ünïcode\n');
  });

  it('loads no perl code named by the environment (PERL5OPT, PERL5LIB)', async () => {
    const evil = join(dir, 'Evil.pm');
    const mark = join(dir, 'evil-ran');
    writeFileSync(evil, `package Evil; open(my $f, '>', '${mark}'); 1;\n`);
    process.env.PERL5OPT = '-MEvil';
    process.env.PERL5LIB = dir;
    const l = new Launcher();
    try {
      const r = await l.run({ argv: ['sh', '-c', 'echo "${PERL5OPT:-none}"'], ms: 10_000 });
      expect(r.stdout).toBe('none\n');
      expect(existsSync(mark)).toBe(false);
    } finally {
      delete process.env.PERL5OPT;
      delete process.env.PERL5LIB;
      await l.close();
    }
  });

  it('names the signal that ended a child', async () => {
    const r = await launcher.run({ argv: ['sh', '-c', 'kill -TERM $$'], ms: 10_000 });
    expect(r).toMatchObject({ code: null, signal: 'SIGTERM', timedOut: false });
  });

  it('kills its children when nslab is killed with SIGKILL, which frees the lab lock', async () => {
    const pidFile = join(dir, 'child.pid');
    const script = `
      import { processRunner } from '${DIST}runner.js';
      import { lockLab } from '${DIST}state/lock.js';
      const lock = await lockLab(${JSON.stringify(dir)}, 'killed');
      const run = (argv) => processRunner.run(argv, '', { holdFd: lock.fd });
      await run(['sh', '-c', 'echo $$ > ${pidFile}; exec sleep 62']);
    `;
    const env = { ...process.env };
    delete env.NSLAB_LAUNCHER;
    const nslab = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore', env });
    const exited = new Promise((r) => nslab.on('exit', r));
    expect(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 10_000)).toBe(true);
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(child)).toBe(true);
    const ppid = parentOf(child);
    expect(ppid).not.toBe(nslab.pid); // the launcher's child, not nslab's
    expect(await isLocked(dir, 'killed')).toBe(true);
    nslab.kill('SIGKILL');
    await exited;
    expect(await until(() => !alive(child), 5000)).toBe(true);
    await sleep(100); // the launcher exits right after its children
    expect(await isLocked(dir, 'killed')).toBe(false);
  });
});

describe("the launcher's dash (one child at a time)", () => {
  const dash = ['/usr/bin/dash', '/bin/dash'].some((p) => existsSync(p));
  const it_ = dash ? it : it.skip;
  const launcher = new Launcher();
  afterAll(() => launcher.close());
  const shmLeft = () => readdirSync('/dev/shm').filter((n) => n.startsWith('nslab-launcher-'));

  it_('starts every child through one dash, its own child; with NSLAB_DASH=0 it forks them itself', async () => {
    const parents = await Promise.all([1, 2, 3].map(() => launcher.run({ argv: ['sh', '-c', 'echo $PPID'], ms: 5000 })));
    const ppids = new Set(parents.map((r) => Number(r.stdout)));
    expect(ppids.size).toBe(1);
    const [ppid] = [...ppids];
    expect(command(ppid!)).toBe('dash');
    expect(parentOf(ppid!)).toBe(launcher.pid);
    process.env.NSLAB_DASH = '0';
    const l = new Launcher();
    delete process.env.NSLAB_DASH;
    try {
      expect(Number((await l.run({ argv: ['sh', '-c', 'echo $PPID'], ms: 5000 })).stdout)).toBe(l.pid);
    } finally {
      await l.close();
    }
  });

  it_("gives the children nslab's environment, without PERL* and without dash's own nslab_* variables", async () => {
    process.env.NSLABTEST_KEEP = 'kept';
    process.env.nslab_a = 'outside';
    process.env.PERL5OPT = '-w';
    const l = new Launcher();
    delete process.env.NSLABTEST_KEEP;
    delete process.env.nslab_a;
    delete process.env.PERL5OPT;
    try {
      const r = await l.run({ argv: ['sh', '-c', 'echo "$NSLABTEST_KEEP|${nslab_a-unset}|${PERL5OPT-unset}"', 'x', 'last'], ms: 5000 });
      expect(r.stdout).toBe('kept|unset|unset\n');
    } finally {
      await l.close();
    }
  });

  it_('passes an argument with a newline as it is (that child is started by the launcher itself)', async () => {
    const r = await launcher.run({ argv: ['printf', '%s|', 'a\nb', ' c ', '', '$(id)'], ms: 5000 });
    expect(r).toMatchObject({ code: 0, stdout: 'a\nb| c ||$(id)|' });
  });

  it_('kills the child at its deadline, and runs the request handed over behind it', async () => {
    const [slow, next, after] = await Promise.all([
      launcher.run({ argv: ['sleep', '5'], ms: 300 }),
      launcher.run({ argv: ['sh', '-c', 'cat; echo next'], input: 'in\n', ms: 5000 }),
      launcher.run({ argv: ['echo', 'after'], ms: 5000 }),
    ]);
    expect(slow).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(next).toMatchObject({ code: 0, stdout: 'in\nnext\n', timedOut: false });
    expect(after.stdout).toBe('after\n');
  });

  it_('fails the command its dash was running when the dash dies, and goes on with a new one', async () => {
    await expect(launcher.run({ argv: ['sh', '-c', 'kill -KILL $PPID; sleep 5'], ms: 10_000 })).rejects.toThrow(/spawner \(dash\) ended/u);
    expect((await launcher.run({ argv: ['echo', 'still here'], ms: 5000 })).stdout).toBe('still here\n');
  });

  it_('lends the lab lock to the children of a dash started before the lock was taken', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nslab-dashlock-'));
    const l = new Launcher();
    try {
      expect((await l.run({ argv: ['true'], ms: 5000 })).code).toBe(0);
      expect(await l.lock(join(d, 'x.lock'))).toBe('taken');
      const r = await l.run({ argv: ['sh', '-c', 'for f in /proc/self/fd/*; do readlink "$f"; done'], hold: true, ms: 5000 });
      expect(r.stdout.split('\n')).toContain(join(d, 'x.lock'));
    } finally {
      await l.close();
      rmSync(d, { recursive: true, force: true });
    }
  });

  it_('keeps its files only as open descriptors: nothing is left in /dev/shm, even when killed', async () => {
    const l = new Launcher();
    const r = await l.run({ argv: ['cat'], input: 'x'.repeat(100_000), ms: 5000 });
    expect(r.stdout.length).toBe(100_000);
    // The files are there, in /dev/shm, as the launcher's descriptors only.
    const held = readdirSync(`/proc/${l.pid}/fd`).map((fd) => readlinkSync(`/proc/${l.pid}/fd/${fd}`)).filter((t) => t.startsWith('/dev/shm/nslab-launcher-'));
    expect(held).toHaveLength(6);
    expect(held.every((t) => t.endsWith(' (deleted)'))).toBe(true);
    expect(shmLeft()).toEqual([]);
    process.kill(l.pid!, 'SIGKILL');
    await sleep(50);
    expect(shmLeft()).toEqual([]);
  });
});
