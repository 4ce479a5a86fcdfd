/**
 * nslab/testing from a user's own project: test/testing/fixture-project is copied to a temp dir
 * whose node_modules/nslab links to this repository (what `npm install` of a `file:` dependency
 * does, without the install). Its scripts and jest tests import 'nslab' and 'nslab/testing'.
 * Needs `npm run build` first (the package entry points are in dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeKernel, hostLinksWith, namespacesWith, sweep } from '../support/kernel.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixture-project', import.meta.url));
const JEST = join(REPO, 'node_modules', 'jest', 'bin', 'jest.js');

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs a command to its end (killed after `timeoutMs`). */
function run(argv: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Starts `node deploy.mjs wait` and resolves with the child and the JSON line it prints once its lab is up. */
function startWaiting(cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; seen: Seen }> {
  const child = spawn(process.execPath, ['deploy.mjs', 'wait'], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`deploy.mjs wait printed nothing in 20 s: ${err}`)); }, 20_000);
    child.stderr!.on('data', (d) => { err += d; });
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve({ child, seen: JSON.parse(out.split('\n')[0]!) as Seen });
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`deploy.mjs wait exited (${code}) before deploying: ${err}`)); });
  });
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.on('exit', () => r())));

interface Seen { key: string; prefix: string; sleeper: number; eth0: { name: string; mtu: number; addresses: string[] }; bridge: string; matrix: string }

const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) [ZX] /su.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
/** Namespaces, host links, and mounts of the lab (its pins: they would keep deleted namespaces alive). */
const leftovers = (prefix: string) => [
  ...namespacesWith(prefix), ...hostLinksWith(prefix),
  ...readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.split('/').some((part) => part.startsWith(prefix))),
];

describeKernel('nslab/testing in a project that depends on nslab', () => {
  let dir: string;
  const prefixes = new Set<string>();
  const children: ChildProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-user-project-'));
    cpSync(FIXTURE, dir, { recursive: true });
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO, join(dir, 'node_modules', 'nslab'), 'dir');
  });

  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const p of prefixes) sweep(p);
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploys, checks and destroys a lab from a plain node script importing nslab and nslab/testing', async () => {
    const r = await run([process.execPath, 'deploy.mjs'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as Seen;
    prefixes.add(seen.prefix);
    expect(seen.key).toBe(`${seen.prefix}lab`);
    expect(seen.eth0).toMatchObject({ name: 'eth0', mtu: 1500 });
    expect(seen.eth0.addresses).toContain('10.50.0.1/24');
    expect(seen.bridge).toBe(`${seen.prefix}br`);
    expect(seen.matrix).toBe('from \\ to  blue  red\nblue       -     yes\nred        yes   -');
    expect(leftovers(seen.prefix)).toEqual([]);
    expect(alive(seen.sleeper)).toBe(false);
  });

  it('tears a lab down when the process exits without destroying it', async () => {
    const r = await run([process.execPath, 'deploy.mjs', 'forget'], { cwd: dir });
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as Seen;
    prefixes.add(seen.prefix);
    expect(leftovers(seen.prefix)).toEqual([]);
    expect(alive(seen.sleeper)).toBe(false);
  });

  it('tears a lab down on SIGTERM, then dies of the signal', async () => {
    const { child, seen } = await startWaiting(dir);
    children.push(child);
    prefixes.add(seen.prefix);
    expect(namespacesWith(seen.prefix).sort()).toEqual([`${seen.prefix}blue`, `${seen.prefix}red`]);
    child.kill('SIGTERM');
    await exited(child);
    expect(child.signalCode).toBe('SIGTERM');
    expect(leftovers(seen.prefix)).toEqual([]);
    expect(alive(seen.sleeper)).toBe(false);
  });

  it('sweeps the lab of a SIGKILLed run, and the process it left running, on the next deployment', async () => {
    const root = join(dir, 'runs'); // a root of its own, so no other test's deployment sweeps it first
    const { child, seen } = await startWaiting(dir, { NSLAB_TESTING_DIR: root });
    children.push(child);
    prefixes.add(seen.prefix);
    child.kill('SIGKILL');
    await exited(child);
    // Nothing ran at exit: the lab, its host bridge and its sleeper are still there.
    expect(namespacesWith(seen.prefix)).toHaveLength(2);
    expect(hostLinksWith(seen.prefix)).toContain(`${seen.prefix}br`);
    expect(alive(seen.sleeper)).toBe(true);
    expect(readdirSync(root)).toEqual([seen.prefix]);

    const next = await run([process.execPath, 'deploy.mjs'], { cwd: dir, env: { NSLAB_TESTING_DIR: root } });
    expect(next.code).toBe(0);
    const other = JSON.parse(next.stdout) as Seen;
    prefixes.add(other.prefix);
    expect(leftovers(seen.prefix)).toEqual([]);
    expect(alive(seen.sleeper)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it('runs in two jest workers at the same time, each lab under its own prefix, both passing', async () => {
    const barrier = join(dir, 'barrier');
    mkdirSync(barrier);
    const r = await run([process.execPath, JEST, '--rootDir', dir, '--maxWorkers', '2', '--ci', 'a.test.mjs', 'b.test.mjs'], {
      cwd: dir,
      env: { BARRIER: barrier, NODE_OPTIONS: '--experimental-vm-modules --no-warnings' },
      timeoutMs: 60_000,
    });
    const marks = Object.fromEntries(['a', 'b'].filter((w) => existsSync(join(barrier, w))).map((w) => [w, readFileSync(join(barrier, w), 'utf8').trim().split(' ')]));
    for (const [key] of Object.values(marks)) prefixes.add(key!.slice(0, -'lab'.length));
    expect(r.stderr).toMatch(/Tests: +2 passed, 2 total/);
    expect(r.code).toBe(0);
    const [keyA, pidA] = marks.a!;
    const [keyB, pidB] = marks.b!;
    expect(keyA).not.toBe(keyB);
    expect(pidA).not.toBe(pidB); // two worker processes
    expect([...prefixes].flatMap(leftovers)).toEqual([]);
  }, 70_000);

  it('tears labs down after a jest test that timed out inside withLab, or forgot to destroy', async () => {
    const barrier = join(dir, 'barrier-failing');
    mkdirSync(barrier);
    const r = await run([process.execPath, JEST, '--rootDir', dir, '--maxWorkers', '2', '--ci', 'hang.test.mjs', 'forget.test.mjs'], {
      cwd: dir,
      env: { BARRIER: barrier, NODE_OPTIONS: '--experimental-vm-modules --no-warnings' },
      timeoutMs: 60_000,
    });
    const keys = ['hang', 'forget'].map((w) => readFileSync(join(barrier, w), 'utf8').trim().split(' ')[0]!);
    for (const key of keys) prefixes.add(key.slice(0, -'lab'.length));
    expect(r.stderr).toMatch(/Exceeded timeout of 1500 ms/);
    expect(r.stderr).toMatch(/Tests: +1 failed, 1 passed, 2 total/);
    expect(keys.map((k) => leftovers(k.slice(0, -'lab'.length)))).toEqual([[], []]);
  }, 70_000);
});
