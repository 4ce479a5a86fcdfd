/**
 * All kernel I/O goes through a Runner: argv arrays, never a shell string. Tests may swap in a
 * recorder or a replayer; the default (processRunner) runs real processes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { Launcher, launcherAvailable, launcherEnters, launcherUsesDash } from './launcher.js';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Per-call settings a runner may honour (the process runner does; recorders may ignore them). */
export interface RunOptions {
  /**
   * An open file descriptor the child inherits (as its fd 3): the lab lock's, so that a child
   * started under the lock keeps the lab locked until it ends, even if nslab dies first.
   */
  readonly holdFd?: number;
  /** Deadline in ms; the child's process group is killed when it passes. Default: defaultTimeoutMs(). */
  readonly timeoutMs?: number;
}

export interface Runner {
  /** Runs `argv` with optional stdin; never throws for a non-zero exit (the caller decides). */
  run(argv: readonly string[], input?: string, opts?: RunOptions): Promise<RunResult>;
  /**
   * The names of all named namespaces, as `ip netns list` prints them, where the runner can tell
   * without a process (the process runner reads /run/netns). Absent: listNamespaces() runs ip.
   */
  listNamespaces?(): string[];
}

/** The directory `ip netns` keeps its namespace files in. */
const NETNS_DIR = '/run/netns';

/** Every child's deadline unless told otherwise: env NSLAB_TIMEOUT (seconds), else 120 s. */
export function defaultTimeoutMs(): number {
  const env = Number(process.env.NSLAB_TIMEOUT);
  return Number.isFinite(env) && env > 0 ? env * 1000 : 120_000;
}

/** A child that outlived its deadline; its process group was killed. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(readonly argv: readonly string[], readonly ms: number) {
    super(`${shown(argv)} did not finish within ${ms / 1000} s; it was killed`);
  }
}

/** The namespace an argv runs in (`ip -n NS`, `nsenter --net=/run/netns/NS`, `ip netns exec NS`). */
function whereOf(argv: readonly string[]): string | undefined {
  const n = argv.indexOf('-n');
  if (argv[0] === 'ip' && n > 0) return argv[n + 1];
  const net = argv.find((a) => a.startsWith('--net=/run/netns/'));
  if (net) return net.slice('--net=/run/netns/'.length);
  if (argv[1] === 'netns' && argv[2] === 'exec') return argv[3];
  return undefined;
}

/**
 * How a command is named in messages: the command itself, then the namespace it ran in
 * (`nsenter --net=/run/netns/NS ip …` is shown as `ip … (in namespace NS)`).
 */
export function shown(argv: readonly string[]): string {
  const where = whereOf(argv);
  const net = /(^|\/)nsenter$/u.test(argv[0] ?? '') && argv[1]?.startsWith('--net=') ? argv.slice(2) : argv;
  return `${net.join(' ')}${where ? ` (in namespace ${where})` : ''}`;
}

/** Wraps a runner so that every call carries `opts` (the lock's fd, a deadline). */
export function withRunOptions(runner: Runner, opts: RunOptions): Runner {
  const wrapped: Runner = { run: (argv, input, more) => runner.run(argv, input, { ...opts, ...more }) };
  if (runner.listNamespaces) wrapped.listNamespaces = () => runner.listNamespaces!();
  return wrapped;
}

/** A command that exited non-zero, with everything needed to tell the user why. */
export class CommandFailedError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly code: number,
    readonly stderr: string,
    readonly input?: string,
  ) {
    super(`${shown(argv)} failed (exit ${code}): ${firstErrorLine(stderr, input)}`);
    this.name = 'CommandFailedError';
  }
}

/** For `ip -batch` failures ("Command failed -:3") names the failing input line too. */
function firstErrorLine(stderr: string, input?: string): string {
  const text = stderr.trim().split('\n').filter(Boolean);
  const msg = text.filter((l) => !/^Command failed -:\d+$/u.test(l)).join('; ') || text.join('; ') || 'no error output';
  const m = /Command failed -:(\d+)/u.exec(stderr);
  if (m && input) {
    const line = input.split('\n')[Number(m[1]) - 1];
    if (line) return `${msg} (at "${line}")`;
  }
  return msg;
}

/** A write: an `ip -batch` whose input changes something, or a sysctl assignment (`sysctl K=V`). */
function isWrite(argv: readonly string[], input: string | undefined): boolean {
  const sysctl = argv.indexOf('sysctl');
  if (sysctl >= 0 && argv.slice(sysctl + 1).some((a) => a.includes('='))) return true;
  if (!argv.includes('-batch')) return false;
  return (input ?? '').split('\n').some((l) => l !== '' && !/^(addr|route|link) show\b/u.test(l));
}

/**
 * A write batch must not outlive a killed nslab (it would run on without a deadline, holding the
 * lab's lock). Through the launcher it cannot; a write started directly (a small run, before a
 * launcher pays for itself) runs under `setpriv --pdeathsig KILL` where util-linux has it.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** Whether processes go through a launcher: where there is perl, unless NSLAB_LAUNCHER=0. */
export const launcherEnabled = (): boolean => process.env.NSLAB_LAUNCHER !== '0' && launcherAvailable();

/** Launchers: one for the runs that hold no lock (-1), and one per lab lock (keyed by its fd). */
const slots = new Map<number, Launcher>();

/** A launcher started ahead of need (prestartLauncher), taken by the first that needs one. */
let spare: Launcher | undefined;

const launcher = (): Launcher => {
  if (!closingAtExit) process.on('beforeExit', closeLaunchers);
  closingAtExit = true;
  const l = spare?.alive ? spare : new Launcher();
  spare = undefined;
  return l;
};

/**
 * Starts a launcher now, while nslab's heap is small and while it loads the lab, so that the
 * lab's lock and first processes do not wait for one. No-op without a launcher.
 */
export function prestartLauncher(): void {
  if (launcherEnabled() && !spare) {
    if (!closingAtExit) process.on('beforeExit', closeLaunchers);
    closingAtExit = true;
    spare = new Launcher();
  }
}

/** A launcher to take a lab lock with (see lock.ts); undefined: no launcher, use flock(1). */
export function launcherForLock(): Launcher | undefined {
  return launcherEnabled() ? launcher() : undefined;
}

/** Registers the launcher that took the lab lock whose file nslab has open as `fd`. */
export function holdWith(fd: number, l: Launcher): void {
  slots.set(fd, l);
}

/**
 * The launcher that runs this call; undefined: spawn it directly. A call that holds a lock runs
 * through the launcher that took it, or, if that launcher has ended (and the lock with it),
 * does not run at all.
 */
function launcherFor(holdFd: number | undefined): Launcher | undefined {
  if (holdFd !== undefined) {
    const l = slots.get(holdFd);
    if (l && !l.alive) throw new Error('the lab lock is lost: the launcher that held it has ended');
    return l; // undefined: a lock taken without a launcher (flock(1)); the child inherits its fd
  }
  if (!launcherEnabled()) return undefined;
  let l = slots.get(-1);
  if (!l?.alive) slots.set(-1, (l = launcher()));
  return l;
}

let closingAtExit = false;

/**
 * Ends every launcher and waits for them (when nslab has nothing else to do), so that nslab's
 * own exit accounts for them and their children (as GNU time's CPU figures do).
 */
export async function closeLaunchers(): Promise<void> {
  const all = [...slots.values(), ...(spare ? [spare] : [])];
  slots.clear();
  spare = undefined;
  await Promise.all(all.map((l) => l.close()));
}

/**
 * Ends the launcher that holds the lock opened as `fd` (a lab lock about to be released) and
 * waits until it is gone, so that the lock is free.
 */
export async function releaseHold(fd: number): Promise<void> {
  const l = slots.get(fd);
  slots.delete(fd);
  await l?.close();
}

/**
 * Runs processes from argv arrays, through the launcher (see launcher.ts) where it pays and
 * directly (node:child_process) otherwise. (execa was measured at about 115 ms to import and
 * 1.5 ms of extra wall time per process, which at a thousand namespaces is most of a second.)
 */
export const processRunner: Runner = {
  async run(argv, input, opts = {}) {
    const ms = opts.timeoutMs ?? defaultTimeoutMs();
    const launcher = launcherFor(opts.holdFd);
    if (!launcher) return spawnDirect(argv, input, opts.holdFd, ms, isWrite(argv, input));
    let r;
    try {
      r = await launcher.run({ argv, input, hold: opts.holdFd !== undefined, ms });
    } catch (e) {
      if (!launcher.alive) throw new Error(`${shown(argv)}: ${(e as Error).message}`, { cause: e });
      throw new Error(`could not run ${argv[0]}: ${(e as Error).message}`, { cause: e });
    }
    if (r.timedOut) throw new TimeoutError(argv, ms);
    return { stdout: r.stdout, stderr: r.stderr + (r.signal ? `killed by ${r.signal}\n` : ''), code: r.code ?? 128 };
  },
  listNamespaces() {
    try {
      return readdirSync(NETNS_DIR).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  },
};

/**
 * Every child runs in its own process group, so the terminal's Ctrl-C reaches nslab (which stops
 * at a safe point) and not its children.
 */
function spawnDirect(argv: readonly string[], input: string | undefined, holdFd: number | undefined, ms: number, write: boolean): Promise<RunResult> {
  const full = SETPRIV && write ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...argv] : [...argv];
  return new Promise((resolve, reject) => {
    const stdio: Array<'pipe' | number> = ['pipe', 'pipe', 'pipe'];
    if (holdFd !== undefined) stdio.push(holdFd);
    const child = spawn(full[0]!, full.slice(1), { detached: true, stdio });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, ms);
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.stdin!.on('error', () => undefined); // a child that exits early closes its stdin: its exit code tells
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${argv[0]}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new TimeoutError(argv, ms));
        return;
      }
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `killed by ${signal}\n` : ''),
        code: code ?? 128,
      });
    });
    child.stdin!.end(input ?? '');
  });
}

const NSENTER = ['/usr/bin/nsenter', '/bin/nsenter'].find((p) => existsSync(p));

/**
 * From this many lines in the mount table on, entering with nsenter beats `ip -n` (measured on
 * this machine class: see README, How it works). Env NSLAB_NSENTER_FROM overrides.
 */
export const NSENTER_FROM = Number(process.env.NSLAB_NSENTER_FROM ?? 600);
/** The same where the launcher starts children through dash (vfork: an exec costs less there). */
export const NSENTER_FROM_DASH = Number(process.env.NSLAB_NSENTER_FROM ?? 1200);

/** Lines in /proc/self/mountinfo: what `ip -n` copies at every start (read once per phase; no process). */
export function mountTableSize(): number {
  try {
    const b = readFileSync('/proc/self/mountinfo');
    let n = 0;
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
    return n;
  } catch {
    return 0;
  }
}

/**
 * `argv` run inside a location: as is for the host, else inside the named namespace.
 * Where the launcher forks every process and enters namespaces itself (see launcher.ts), that is
 * `nsenter --net=/run/netns/NS …`: one process, the command itself. Otherwise (without the
 * launcher, or where its dash starts the processes and nsenter is a real exec) `ip -n NS` (and
 * `ip netns exec`) also unshare the mount namespace, which copies the mount table: one exec and
 * cheap with a short table, but every named namespace adds a line, and at a thousand lines
 * `nsenter --net=/run/netns/NS ip …` (two execs, only the network namespace entered: netlink and
 * /proc/sys/net need nothing else) costs less. So with `mounts` (the mount table's lines) at
 * NSENTER_FROM (NSENTER_FROM_DASH through dash) or more, ip runs under nsenter. Other commands
 * (sysctl, nft, tc) always go through nsenter when there is one.
 */
export function inLocation(l: string, argv: readonly string[], mounts = 0): string[] {
  if (l === '') return [...argv];
  const [cmd, ...rest] = argv;
  const launcher = launcherEnabled();
  const dash = launcher && launcherUsesDash();
  if (launcher && !dash && launcherEnters()) return [NSENTER ?? 'nsenter', `--net=/run/netns/${l}`, ...argv];
  if (cmd === 'ip' && (!NSENTER || mounts < (dash ? NSENTER_FROM_DASH : NSENTER_FROM))) return ['ip', '-n', l, ...rest];
  return NSENTER ? [NSENTER, `--net=/run/netns/${l}`, ...argv] : ['ip', 'netns', 'exec', l, ...argv];
}

/** Runs and throws CommandFailedError on a non-zero exit. */
export async function runChecked(runner: Runner, argv: readonly string[], input?: string): Promise<RunResult> {
  const r = await runner.run(argv, input);
  if (r.code !== 0) throw new CommandFailedError(argv, r.code, r.stderr, input);
  return r;
}

/**
 * Runs `fn` over `items` with at most `limit` in flight at once; results keep the input order.
 * After the first failure no new item starts; those in flight finish; then the first error is thrown.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (e) {
        failed ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failed.error;
  return out;
}
