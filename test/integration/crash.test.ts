/**
 * Crash safety, signals, locking, reviewed plans and garbage collection, through the nslab
 * command on the real kernel.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLab, destroyLab, planLab } from '../../src/engine/lab.js';
import { isLocked, lockLab, writeState } from '../../src/engine/state/state.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { chainPlan } from '../support/plans.js';
import { CLI, runCli } from '../support/cli.js';
import { describeKernel, hostLinksWith, ip, kernelFixture, namespacesWith } from '../support/kernel.js';

/** How many kill points the crash test tries (NSLAB_CRASH_POINTS overrides). */
const KILL_POINTS = Number(process.env.NSLAB_CRASH_POINTS ?? 20);

const chain = (prefix: string, lab: string, n: number) => chainPlan(prefix, lab, n, { bridge: true });

describeKernel('crash safety and concurrency', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const work = mkdtempSync(join(tmpdir(), 'nslab-crash-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const env = { ...process.env, NSLAB_STATE_DIR: fx.stateDir };
  const nslab = (...args: string[]) => runCli(env, ...args);
  const planFile = (plan: PlanDocument, name: string) => {
    const f = join(work, `${name}.json`);
    writeFileSync(f, JSON.stringify(plan));
    return f;
  };
  const statePath = (key: string) => join(fx.stateDir, `${key}.state.json`);
  const waitFor = async (cond: () => boolean, ms: number): Promise<boolean> => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    return cond();
  };
  const pendingRecorded = (key: string) => existsSync(statePath(key)) && readFileSync(statePath(key), 'utf8').includes('"pending"');

  it(`converges and destroys cleanly after kill -9 of apply at ${KILL_POINTS} points of a 100-namespace lab`, async () => {
    const plan = chain(`${P}k`, 'crash', 100);
    const file = planFile(plan, 'crash');
    const key = `${P}kcrash`;
    // How long an apply runs after recording its pending state, measured once on this machine.
    const timing = spawn('node', [CLI, 'apply', file, '--auto-approve'], { env, stdio: 'ignore' });
    const timed = new Promise((r) => timing.on('exit', r));
    expect(await waitFor(() => pendingRecorded(key), 5000)).toBe(true);
    const t0 = Date.now();
    await timed;
    let span = Date.now() - t0;
    await destroyLab(key, opts);
    const landed: number[] = [];
    for (let i = 0; i < KILL_POINTS; i++) {
      // A kill that comes after the apply ended tested nothing: the point is tried again, earlier
      // (the machine may have got faster since the apply was timed).
      for (let attempt = 0; attempt < 3; attempt++) {
        const child = spawn('node', [CLI, 'apply', file, '--auto-approve'], { env, stdio: 'ignore' });
        const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
        // Kill points spread over the apply, from just after the pending state is written (the
        // apply records what it may create before its first change) to near its end.
        expect(await waitFor(() => pendingRecorded(key), 5000)).toBe(true);
        const delay = Math.round((i / KILL_POINTS) * span * 0.8);
        await new Promise((r) => setTimeout(r, delay));
        child.kill('SIGKILL');
        const hit = (await exited) === 'SIGKILL';
        if (hit) landed.push(delay);
        await applyLab(plan, opts);
        expect((await planLab(plan, opts)).result.changes).toEqual([]);
        await destroyLab(key, opts);
        expect(namespacesWith(`${P}k`)).toEqual([]);
        expect(hostLinksWith(`${P}k`)).toEqual([]);
        expect(await isLocked(fx.stateDir, key)).toBe(false);
        if (hit) break;
        span = Math.max(20, delay * 0.8);
      }
    }
    // Nearly every kill must land on a live apply, or the test tested nothing.
    expect(landed.length).toBeGreaterThanOrEqual(Math.ceil(KILL_POINTS * 0.8));
    // eslint-disable-next-line no-console
    console.log(`crash: ${KILL_POINTS} kill points, ${landed.length} landed on a running apply; all converged and destroyed clean`);
  }, 300_000);

  it('replaces a half-created namespace it owns, and refuses one it does not own', async () => {
    const plan = chain(`${P}w`, 'half', 2);
    // An `ip netns add` killed before its mount leaves a plain file under /run/netns.
    writeState(fx.stateDir, { version: 1, lab: 'half', prefix: `${P}w`, key: `${P}whalf`, resources: {}, pending: plan.resources });
    writeFileSync(`/run/netns/${P}wn0`, '');
    const p = await planLab(plan, opts);
    expect(p.result.changes.find((c) => c.id === 'n0')).toMatchObject({ action: 'replace', reason: 'its /run/netns file is not a namespace (an interrupted create)' });
    await applyLab(plan, opts);
    expect((await planLab(plan, opts)).result.changes).toEqual([]);
    await destroyLab(`${P}whalf`, opts);
    writeFileSync(`/run/netns/${P}wn0`, '');
    await expect(applyLab(plan, opts)).rejects.toThrow(`namespace "${P}wn0" exists under /run/netns but cannot be entered, and the lab does not own it`);
    expect(existsSync(`/run/netns/${P}wn0`)).toBe(true);
    rmSync(`/run/netns/${P}wn0`);
    expect(namespacesWith(`${P}w`)).toEqual([]);
  });

  it('stops at a safe point on SIGINT, releases the lock, says how to continue, and the next apply finishes', async () => {
    const plan = chain(`${P}s`, 'sig', 150);
    const file = planFile(plan, 'sig');
    const key = `${P}ssig`;
    const child = spawn('node', [CLI, 'apply', file, '--auto-approve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
    expect(await waitFor(() => pendingRecorded(key), 5000)).toBe(true);
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/interrupted: lab .* is partly applied .* run apply again to finish, or destroy to remove it/);
    expect(await isLocked(fx.stateDir, key)).toBe(false);
    await applyLab(plan, opts);
    expect((await planLab(plan, opts)).result.changes).toEqual([]);
    await destroyLab(key, opts);
    expect(namespacesWith(`${P}s`)).toEqual([]);
  });

  it('makes a second apply of a locked lab wait, then fail naming the holder; other labs go on in parallel', async () => {
    const a = chain(`${P}a`, 'la', 3);
    const b = chain(`${P}b`, 'lb', 3);
    const lock = await lockLab(fx.stateDir, `${P}ala`);
    const started = Date.now();
    const r = await nslab('apply', planFile(a, 'la'), '--auto-approve', '--lock-timeout', '0.5');
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error: lab ${P}ala is locked by pid ${process.pid} \\(since \\d{4}-.*\\) after waiting 0.5 s`));
    expect(namespacesWith(`${P}a`)).toEqual([]);
    await lock.release();
    await Promise.all([applyLab(a, opts), applyLab(b, opts)]);
    expect((await planLab(a, opts)).result.changes).toEqual([]);
    expect((await planLab(b, opts)).result.changes).toEqual([]);
    await Promise.all([destroyLab(`${P}ala`, opts), destroyLab(`${P}blb`, opts)]);
  });

  it('applies a saved plan exactly, and refuses one the kernel has moved away from, naming what moved', async () => {
    const plan = chain(`${P}p`, 'rev', 3);
    const file = planFile(plan, 'rev');
    const saved = join(work, 'rev.saved.json');
    expect((await nslab('plan', file, '--out', saved)).code).toBe(0);
    expect((await nslab('apply', saved, '--auto-approve')).code).toBe(0);
    expect((await planLab(plan, opts)).result.changes).toEqual([]);
    // A new plan is saved, then the kernel moves before it is applied.
    ip('-n', `${P}pn1`, 'addr', 'flush', 'dev', 'left');
    expect((await nslab('plan', file, '--out', saved)).code).toBe(0);
    ip('-n', `${P}pn2`, 'link', 'set', 'left', 'down');
    const r = await nslab('apply', saved, '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the kernel changed since the plan was saved; nothing was applied/);
    expect(r.stderr).toMatch(/needed now but not in the saved plan: update l1 \[rev\/l1\]/);
    expect(ip('-n', `${P}pn1`, 'addr', 'show', 'dev', 'left')).not.toContain('10.0.0.2/30');
    await destroyLab(`${P}prev`, opts);
  });

  it('rejects bad input with one line per problem, exit 1, no stack trace and no kernel change', async () => {
    const file = join(work, 'bad.json');
    writeFileSync(file, JSON.stringify({ version: 1, lab: 'bad', prefix: P, resources: {
      x: { type: 'namespace', path: 'bad/x', name: `${P}x; reboot` },
      y: { type: 'namespace', path: 'bad/y', name: `${P}y` },
      l: { type: 'veth', path: 'bad/l', a: { namespace: `${P}y`, name: '$(id)' }, b: { namespace: `${P}y`, name: 'b'.repeat(16) }, mtu: 70000 },
      ip: { type: 'address', path: 'bad/ip', namespace: `${P}y`, device: 'nope', address: 'fd00::1/129' },
    } }));
    for (const cmd of ['plan', 'apply']) {
      const r = await nslab(cmd, file, '--auto-approve');
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines.every((l) => l.startsWith('error: ['))).toBe(true);
      expect(r.stderr).toContain(`error: [bad/x] namespace name "${P}x; reboot" contains whitespace`);
      expect(r.stderr).toContain('error: [bad/l] interface name "bbbbbbbbbbbbbbbb" is 16 bytes; the kernel allows 15');
      expect(r.stderr).toContain('error: [bad/l] MTU 70000 is not an integer from 68 to 65535');
      expect(r.stderr).toContain('error: [bad/ip] address "fd00::1/129" is not an IPv4 or IPv6 CIDR');
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    }
    expect(namespacesWith(P)).toEqual([]);
  });

  it('gc removes marked objects no state claims, and nothing else', async () => {
    const lost = chain(`${P}g`, 'lost', 3);
    const kept = chain(`${P}h`, 'kept', 2);
    await applyLab(lost, opts);
    await applyLab(kept, opts);
    ip('netns', 'add', `${P}gn9`); // foreign, unmarked, with a neighbouring name
    rmSync(statePath(`${P}glost`));
    const dry = await nslab('gc', '--dry-run', '--prefix', P);
    expect(dry.stdout).toContain(`would remove namespace ${P}gn0 (marked for lab ${P}glost`);
    expect(dry.stdout).toContain(`would remove link ${P}gbr`);
    expect(dry.stdout).not.toContain(`${P}h`);
    expect(namespacesWith(`${P}g`)).toHaveLength(4);
    const asked = await nslab('gc', '--prefix', P);
    expect(asked.code).toBe(1);
    expect(asked.stderr).toContain('not a terminal: pass --auto-approve');
    expect(namespacesWith(`${P}g`)).toHaveLength(4);
    expect((await nslab('gc', '--prefix', P, '--auto-approve')).code).toBe(0);
    expect(namespacesWith(`${P}g`)).toEqual([`${P}gn9`]);
    expect(hostLinksWith(`${P}g`)).toEqual([]);
    expect((await planLab(kept, opts)).result.changes).toEqual([]);
    await destroyLab(`${P}hkept`, opts);
  });

  it('gc leaves alone the labs of another state store, whose markers name that store', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'nslab-other-'));
    try {
      const other = chain(`${P}o`, 'other', 2);
      await applyLab(other, { stateDir: otherDir });
      const alias = JSON.parse(ip('-n', `${P}on0`, '-j', 'link', 'show', 'dev', 'lo'))[0].ifalias as string;
      expect(alias).toMatch(new RegExp(`^nslab:${P}oother@[0-9a-f]{8}$`));
      // Run against the wrong store, gc sees a marker that is not its own: nothing to do.
      const r = await nslab('gc', '--prefix', P, '--auto-approve');
      expect(r.stdout).not.toContain(`${P}o`);
      expect(namespacesWith(`${P}o`)).toHaveLength(2);
      // And nslab apply through the wrong store treats the objects as foreign, not as its own.
      const wrong = await nslab('plan', planFile(other, 'other'));
      expect(wrong.code).toBe(1);
      expect(wrong.stdout + wrong.stderr).toMatch(new RegExp(`${P}on0.*(not owned|owned by)`));
      await destroyLab(`${P}oother`, { stateDir: otherDir });
      expect(namespacesWith(`${P}o`)).toEqual([]);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
