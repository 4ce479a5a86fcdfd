/**
 * Commands and processes inside a lab namespace (execa underneath): timeouts, the forced kill
 * after a grace period, a whole process group stopped, waiting for a line of output, and errors
 * that carry what the command printed.
 */
import { readFileSync } from 'node:fs';
import { NetNamespace } from '../../constructs/index.js';
import { deployLab, ExecError, type DeployedLab, type LabNamespace } from '../../src/testing/index.js';
import { describeKernel, sweep } from '../support/kernel.js';

/** Running, not a zombie waiting for its parent to reap it. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) [ZX] /su.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const settle = () => new Promise((r) => setTimeout(r, 100));
const rejection = async (p: Promise<unknown>): Promise<ExecError> => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as ExecError);

describeKernel('processes in a lab namespace', () => {
  let lab: DeployedLab | undefined;
  let ns: LabNamespace;
  beforeAll(async () => {
    lab = await deployLab((l) => new NetNamespace(l, 'box'), { name: 'proc' });
    ns = lab.namespace('box');
  });
  afterAll(async () => {
    await lab?.destroy();
    if (lab) sweep(lab.prefix);
  });

  it('stops a command at its timeout with SIGTERM and says so, with the output so far', async () => {
    const started = Date.now();
    const e = await rejection(ns.exec(['sh', '-c', 'echo begun; exec sleep 30'], { timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(e).toBeInstanceOf(ExecError);
    expect(e.message).toMatch(/^ip netns exec \S+box sh -c .* did not finish within 300 ms \(killed\); output so far: begun$/u);
    expect(e.result).toMatchObject({ stdout: 'begun\n', signal: 'SIGTERM', code: 143 });
  });

  it('kills a command that ignores SIGTERM with SIGKILL once the grace period is over, and what it started too', async () => {
    const started = Date.now();
    const e = await rejection(ns.exec(['sh', '-c', 'trap "" TERM; sleep 30 & echo $!; wait'], { timeoutMs: 300, graceMs: 700 }));
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(4000);
    expect(e.message).toContain('did not finish within 300 ms (killed: SIGKILL 700 ms after SIGTERM)');
    expect(e.result).toMatchObject({ signal: 'SIGKILL', code: 137 });
    await settle();
    expect(alive(Number(e.result!.stdout.trim()))).toBe(false);
  });

  it('gives a spawned process that ignores SIGTERM its grace period, then SIGKILL', async () => {
    const p = ns.spawn(['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'], { graceMs: 600 });
    await p.waitFor('ready');
    const started = Date.now();
    const r = await p.kill();
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(r).toMatchObject({ signal: 'SIGKILL', code: 137, stdout: 'ready\n' });
    expect(p.running).toBe(false);
    // A grace of the call's own, shorter than the spawn's.
    const q = ns.spawn(['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done']);
    await q.waitFor('ready');
    const t = Date.now();
    expect((await q.kill('SIGTERM', 200)).signal).toBe('SIGKILL');
    expect(Date.now() - t).toBeLessThan(1500);
  });

  it('stops a whole process group: a child that started a grandchild takes it along', async () => {
    const p = ns.spawn(['sh', '-c', 'sleep 58 & echo child $!; wait']);
    const grandchild = Number((await p.waitFor(/child \d+/u)).split(' ')[1]);
    expect([alive(p.pid), alive(grandchild)]).toEqual([true, true]);
    const r = await p.kill();
    expect(r.signal).toBe('SIGTERM');
    await settle();
    expect([alive(p.pid), alive(grandchild)]).toEqual([false, false]);
  });

  it('returns when a command ends, without waiting for what it left running (which is stopped)', async () => {
    const started = Date.now();
    const r = await ns.exec(['sh', '-c', 'sleep 58 & echo $!']);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.code).toBe(0);
    await settle();
    expect(alive(Number(r.stdout.trim()))).toBe(false);
  });

  it('waits for a line of output on stdout or stderr, and counts lines printed before the call', async () => {
    const p = ns.spawn(['sh', '-c', 'echo starting; sleep 0.3; echo "listening on 7000" >&2; sleep 30']);
    expect(await p.waitFor(/listening on \d+/u, { stream: 'stderr' })).toBe('listening on 7000');
    expect(await p.waitFor('starting')).toBe('starting');
    expect(p.stdout).toBe('starting\n');
    await expect(p.waitFor('never', { timeoutMs: 200 })).rejects.toThrow(/did not print never within 200 ms; stdout: starting; stderr: listening on 7000$/u);
    await p.kill();
    const q = ns.spawn(['sh', '-c', 'echo bye; exit 3']);
    await expect(q.waitFor('never')).rejects.toThrow(/ended \(code 3\) before printing never; stdout: bye; stderr: \(none\)$/u);
  });

  it('throws errors that carry stdout, stderr and the exit code, and passes stdin input as data', async () => {
    const e = await rejection(ns.exec(['sh', '-c', 'echo o; echo e >&2; exit 4'], { check: true }));
    expect(e.result).toEqual({ stdout: 'o\n', stderr: 'e\n', code: 4, signal: undefined });
    expect(e.message).toMatch(/exited with code 4: e$/u);
    expect((await ns.exec(['cat'], { input: 'x $(y)\n' })).stdout).toBe('x $(y)\n');
    const missing = await ns.exec(['no-such-command-here']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no-such-command-here');
  });
});
