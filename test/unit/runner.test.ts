import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { inLocation, mapLimit, NSENTER_FROM_DASH, processRunner, TimeoutError } from '../../src/engine/runner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }));
  } catch {
    return false;
  }
};

describe('child deadlines', () => {
  it('kills a child that outlives its deadline, with its whole process group, and names the command', async () => {
    const started = Date.now();
    const run = processRunner.run(['sh', '-c', 'sleep 60 & echo $!; wait'], '', { timeoutMs: 400 });
    await expect(run).rejects.toThrow(TimeoutError);
    await expect(run).rejects.toThrow(/^sh -c sleep 60 & echo \$!; wait did not finish within 0.4 s; it was killed$/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('names the namespace a timed-out ip ran in', () => {
    expect(new TimeoutError(['ip', '-n', 'red', '-batch', '-'], 2000).message).toBe('ip -n red -batch - (in namespace red) did not finish within 2 s; it was killed');
    expect(new TimeoutError(['/usr/bin/nsenter', '--net=/run/netns/red', 'ip', '-batch', '-'], 2000).message).toBe('ip -batch - (in namespace red) did not finish within 2 s; it was killed');
    expect(new TimeoutError(['/usr/bin/nsenter', '--net=/run/netns/blue', 'ip', '-batch', '-'], 1000).message).toMatch(/\(in namespace blue\)/);
  });

  it('takes the default deadline from NSLAB_TIMEOUT', async () => {
    process.env.NSLAB_TIMEOUT = '0.3';
    try {
      await expect(processRunner.run(['sleep', '30'])).rejects.toThrow(/within 0.3 s/);
    } finally {
      delete process.env.NSLAB_TIMEOUT;
    }
  });

  it('leaves no process of the group behind', async () => {
    // A duration no other process on the machine uses, so the search finds only this test's sleep.
    const mark = `61.${process.pid}`;
    const run = processRunner.run(['sh', '-c', `sleep ${mark} & wait`], '', { timeoutMs: 300 });
    await sleep(150);
    const find = () => execFileSync('sh', ['-c', `pgrep -f "^sleep ${mark}$" || true`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    expect(find()).toHaveLength(1);
    await expect(run).rejects.toThrow(TimeoutError);
    await sleep(50);
    expect(find().filter(alive)).toEqual([]);
  });
});

describe('mapLimit', () => {
  it('starts nothing new after the first failure, lets the running ones finish, then throws the first error', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapLimit([0, 1, 2, 3, 4, 5, 6, 7], 3, async (i) => {
      started.push(i);
      await sleep(i === 0 ? 10 : 60);
      if (i === 0) throw new Error('batch 0 failed');
      finished.push(i);
      return i;
    });
    await expect(run).rejects.toThrow('batch 0 failed');
    expect(started).toEqual([0, 1, 2]);
    expect(finished.sort()).toEqual([1, 2]);
  });

  it('keeps the input order of results', async () => {
    expect(await mapLimit([30, 10, 20], 2, async (ms) => (await sleep(ms), ms))).toEqual([30, 10, 20]);
  });
});

describe('how a command enters a namespace', () => {
  const dash = ['/usr/bin/dash', '/bin/dash'].some((p) => existsSync(p)) && ['/usr/bin/perl', '/bin/perl'].some((p) => existsSync(p));
  const it_ = dash && ['x64', 'arm64', 'riscv64'].includes(process.arch) ? it : it.skip;
  const nsenter = expect.stringMatching(/(^|\/)nsenter$/u);

  it_("through the launcher's dash: ip -n while the mount table is short, nsenter from NSENTER_FROM_DASH lines on; other commands under nsenter", () => {
    expect(inLocation('red', ['ip', '-j', '-batch', '-'], 100)).toEqual(['ip', '-n', 'red', '-j', '-batch', '-']);
    expect(inLocation('red', ['ip', '-j', '-batch', '-'], NSENTER_FROM_DASH)).toEqual([nsenter, '--net=/run/netns/red', 'ip', '-j', '-batch', '-']);
    expect(inLocation('red', ['sysctl', 'net.ipv4.ip_forward'], 100)).toEqual([nsenter, '--net=/run/netns/red', 'sysctl', 'net.ipv4.ip_forward']);
    expect(inLocation('', ['ip', '-j', 'link', 'show'], 100)).toEqual(['ip', '-j', 'link', 'show']);
  });

  it_('where the launcher forks children itself (NSLAB_DASH=0), always nsenter: the launcher enters the namespace in the child', () => {
    process.env.NSLAB_DASH = '0';
    try {
      expect(inLocation('red', ['ip', '-j', '-batch', '-'], 100)).toEqual([nsenter, '--net=/run/netns/red', 'ip', '-j', '-batch', '-']);
    } finally {
      delete process.env.NSLAB_DASH;
    }
  });
});
