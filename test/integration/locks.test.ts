/**
 * Locks and deadlines on the real kernel: applies killed with their shell and retried at once,
 * applies racing for one lab, a lock file left with a live stranger's pid, and a hanging ip.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLab, ApplyFailedError, destroyLab, planLab } from '../../src/engine/lab.js';
import { isLocked, readState } from '../../src/engine/state/state.js';
import { processRunner, type Runner } from '../../src/engine/runner.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { chainPlan } from '../support/plans.js';
import { CLI, runCli } from '../support/cli.js';
import { describeKernel, hostLinksWith, kernelFixture, namespacesWith } from '../support/kernel.js';

/** Rounds of kill-and-retry (NSLAB_KILL_ROUNDS overrides). */
const ROUNDS = Number(process.env.NSLAB_KILL_ROUNDS ?? 50);
const REAL_IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
})!;

/** Whether `pid` is running (not gone, not a zombie). */
function running(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const chain = (prefix: string, lab: string, n: number) => chainPlan(prefix, lab, n);

describeKernel('locks and deadlines', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const work = mkdtempSync(join(tmpdir(), 'nslab-locks-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const env = { ...process.env, NSLAB_STATE_DIR: fx.stateDir };
  const planFile = (plan: PlanDocument, name: string) => {
    const f = join(work, `${name}.json`);
    writeFileSync(f, JSON.stringify(plan));
    return f;
  };
  const nslab = (args: string[], extraEnv: Record<string, string> = {}) => runCli({ ...env, ...extraEnv }, ...args);
  /** A directory holding a stand-in `ip` (a shell script) to put first on PATH. */
  const standIn = (name: string, script: string) => {
    const dir = join(work, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ip'), `#!/bin/sh\n${script}\n`);
    chmodSync(join(dir, 'ip'), 0o755);
    return dir;
  };

  it(`converges after ${ROUNDS} rounds of kill -9 of the shell and nslab together, the next apply started at once`, async () => {
    const plan = chain(`${P}k`, 'kill', 60);
    const file = planFile(plan, 'kill');
    const key = `${P}kkill`;
    const results: Array<{ code: number; stderr: string }> = [];
    const pending = () => readFileSync(join(fx.stateDir, `${key}.state.json`), 'utf8').includes('"pending"');
    const waitPending = async () => {
      const until = Date.now() + 10_000;
      while (Date.now() < until && !(existsSync(join(fx.stateDir, `${key}.state.json`)) && pending())) await new Promise((r) => setTimeout(r, 5));
    };
    // How long an apply runs once it has recorded its pending state, on this machine.
    const timing = spawn('node', [CLI, 'apply', file, '--auto-approve'], { env, stdio: 'ignore' });
    const timed = new Promise((r) => timing.on('exit', r));
    await waitPending();
    const t0 = Date.now();
    await timed;
    const span = Date.now() - t0;
    await destroyLab(key, opts);
    let landed = 0;
    for (let i = 0; i < ROUNDS; i++) {
      // The shell runs nslab; once nslab has recorded what it may create (it holds the lock and
      // starts changing the kernel), both are killed with SIGKILL at a point spread over the apply.
      const sh = spawn('sh', ['-c', 'node "$1" apply "$2" --auto-approve & echo $!; wait', 'sh', CLI, file], { env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
      const pid = Number(await new Promise<string>((r) => sh.stdout.once('data', (b: Buffer) => r(b.toString()))));
      await waitPending();
      await new Promise((r) => setTimeout(r, Math.round(((i % 10) / 10) * span * 0.8)));
      if (running(pid)) landed++;
      for (const p of [sh.pid!, pid]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // it had ended: counted as not landed
        }
      }
      // At once: the killed nslab may still be an unreaped zombie, its last ip may still be ending.
      const next = await nslab(['apply', file, '--auto-approve']);
      results.push(next);
      expect((await planLab(plan, opts)).result.changes).toEqual([]);
      await destroyLab(key, opts);
    }
    expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    expect(landed).toBeGreaterThanOrEqual(ROUNDS * 0.8);
    // eslint-disable-next-line no-console
    console.log(`kill rounds: ${ROUNDS} rounds, ${landed} kills landed on a running apply, ${results.filter((r) => r.code === 0).length} next applies succeeded at once`);
    expect(namespacesWith(`${P}k`)).toEqual([]);
  }, 600_000);

  it('does not let a lock file naming a live, unrelated process block the lab (as after a reboot)', async () => {
    const plan = chain(`${P}r`, 'reboot', 2);
    const key = `${P}rreboot`;
    writeFileSync(join(fx.stateDir, `${key}.lock`), JSON.stringify({ pid: 1, since: '2020-01-01T00:00:00.000Z' }));
    const r = await nslab(['apply', planFile(plan, 'reboot'), '--auto-approve']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await planLab(plan, opts)).result.changes).toEqual([]);
    expect((await nslab(['destroy', '--lab', key, '--auto-approve'])).code).toBe(0);
    expect(namespacesWith(`${P}r`)).toEqual([]);
  });

  it('lets four applies of one lab started together all succeed, never two inside the lock at once', async () => {
    const plan = chain(`${P}c`, 'conc', 8);
    const file = planFile(plan, 'conc');
    const log = join(work, 'conc.log');
    writeFileSync(log, '');
    // Every ip logs its parent (which nslab ran it) when it starts and when it ends.
    const dir = standIn('trace', `echo "start $PPID" >> '${log}'\n${REAL_IP} "$@"\nrc=$?\necho "end $PPID" >> '${log}'\nexit $rc`);
    const runs = await Promise.all([0, 1, 2, 3].map(() => nslab(['apply', file, '--auto-approve', '--lock-timeout', '60'], { PATH: `${dir}:${process.env.PATH}` })));
    expect(runs.map((r) => [r.code, r.stderr])).toEqual([[0, ''], [0, ''], [0, ''], [0, '']]);
    expect(runs.filter((r) => /apply complete/.test(r.stdout))).toHaveLength(1);
    expect(runs.filter((r) => /no changes/.test(r.stdout))).toHaveLength(3);
    // Group the trace into runs of one parent: each parent's ip processes form one block.
    const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]);
    const order: string[] = [];
    for (const [, ppid] of events) if (order[order.length - 1] !== ppid) order.push(ppid);
    expect(new Set(order).size).toBeGreaterThanOrEqual(4);
    expect(order.length).toBe(new Set(order).size);
    expect((await planLab(plan, opts)).result.changes).toEqual([]);
    await destroyLab(`${P}cconc`, opts);
  });

  it('ends a hanging ip at its deadline with a clear error, rolls the kernel back and frees the lock', async () => {
    const plan = chain(`${P}h`, 'hang', 3);
    const key = `${P}hhang`;
    // The stand-in hangs when a batch adds the first address, and is the real ip otherwise.
    const dir = standIn('hang', `if [ "$3" = "-batch" ] || [ "$4" = "-batch" ] || [ "$5" = "-batch" ]; then\n  input=$(cat)\n  case "$input" in *"addr add 10.0.0.1/30"*) sleep 600 ;; esac\n  printf '%s\\n' "$input" | exec ${REAL_IP} "$@"\nfi\nexec ${REAL_IP} "$@"`);
    const r = await nslab(['apply', planFile(plan, 'hang'), '--auto-approve', '--timeout', '2'], { PATH: `${dir}:${process.env.PATH}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: ip (-n ${P}hn0 )?-d -j -batch - \\(in namespace ${P}hn0\\) did not finish within 2 s; it was killed$`, 'm'));
    expect(r.stderr).toContain('rolled back: the kernel is as it was before this apply');
    expect(namespacesWith(`${P}h`)).toEqual([]);
    expect(await isLocked(fx.stateDir, key)).toBe(false);
    expect(readState(fx.stateDir, key)?.resources ?? {}).toEqual({});
    // The same through the engine: a typed error.
    // `ip` may come first (`ip -n NS …`) or after nsenter (with many namespaces on the machine).
    const runner: Runner = { run: (argv, input, o) => processRunner.run(argv.map((a) => (a === 'ip' ? join(dir, 'ip') : a)), input, o) };
    const e = await applyLab(plan, { ...opts, runner, timeoutMs: 1000 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApplyFailedError);
    expect((e as ApplyFailedError).rolledBack).toBe(true);
    expect((e as Error).message).toMatch(/did not finish within 1 s/);
    expect(namespacesWith(`${P}h`)).toEqual([]);
    expect(hostLinksWith(`${P}h`)).toEqual([]);
  }, 60_000);
});
