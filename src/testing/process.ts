/**
 * Commands inside a lab's namespace: `ip netns exec NS argv…` as argv (never a shell string),
 * run with execa 9: its timeout, forced kill after a grace period, stdin input, line iteration,
 * and results that carry stdout, stderr and the exit code.
 *
 * execa is loaded on first use (`import('execa')` costs 0.1 to 0.2 s), never by the nslab
 * command: `deployLab` loads it while the lab is applied, so `spawn()` can start a process at once.
 *
 * Each command runs in its own process group. execa signals only the command itself; when the
 * command has ended, whatever it started that is still in its group is killed (SIGKILL), as
 * systemd's `KillMode=mixed` does: a timeout or a kill stops the command and everything it started.
 */
import { constants } from 'node:os';
import type { Options, Result, ResultPromise } from 'execa';

export interface ExecOptions {
  /**
   * Written to the command's stdin, which is then closed.
   * @default - stdin is /dev/null
   */
  readonly input?: string;
  /**
   * After this long the command gets SIGTERM (SIGKILL after `graceMs` if it is still running),
   * and exec throws an ExecError with the output so far.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * How long a timed-out command has to end after SIGTERM before it is killed with SIGKILL.
   * @default 2000
   */
  readonly graceMs?: number;
  /**
   * Throw an ExecError when the command exits non-zero.
   * @default false
   */
  readonly check?: boolean;
  /**
   * The command's environment.
   * @default - this process's environment
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The command's working directory.
   * @default - this process's working directory
   */
  readonly cwd?: string;
}

export interface SpawnOptions {
  /** The process's environment. @default - this process's environment */
  readonly env?: NodeJS.ProcessEnv;
  /** The process's working directory. @default - this process's working directory */
  readonly cwd?: string;
  /**
   * How long `kill()` (SIGTERM) waits before SIGKILL, when `kill()` is not given a grace of its own.
   * @default 2000
   */
  readonly graceMs?: number;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code; 128 + the signal number when a signal ended the command. */
  readonly code: number;
  /** The signal that ended the command, if one did. */
  readonly signal?: NodeJS.Signals;
}

/** A command that timed out, could not start, or (with `check`) exited non-zero. */
export class ExecError extends Error {
  override name = 'ExecError';
  constructor(
    message: string,
    /** The full argv run on the host (`ip netns exec NS …`). */
    readonly argv: readonly string[],
    /** What the command printed and how it ended, when it ended. */
    readonly result?: ExecResult,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const DEFAULT_EXEC_TIMEOUT_MS = 30_000;
const DEFAULT_GRACE_MS = 2000;

type Execa = typeof import('execa');
let execaModule: Execa | undefined;
let loading: Promise<Execa> | undefined;

/** Loads execa once (about 0.1 to 0.2 s). `deployLab` calls it while the lab is applied. */
export function loadExeca(): Promise<Execa> {
  loading ??= import('execa').then((m) => (execaModule = m));
  return loading;
}

function execaNow(): Execa['execa'] {
  if (!execaModule) throw new Error('execa is not loaded yet: processes are started in labs from deployLab/withLab, which load it');
  return execaModule.execa;
}

/** Sends `signal` to the process group led by `pid`; false when it is already gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (!pid) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

const nsArgv = (namespace: string, argv: readonly string[]): string[] => {
  if (argv.length === 0 || argv.some((a) => typeof a !== 'string')) throw new TypeError('argv must be a non-empty array of strings');
  return ['ip', 'netns', 'exec', namespace, ...argv];
};

/** Options every command runs with: its own process group, output as text, results instead of throws. */
const baseOptions = (opts: { env?: NodeJS.ProcessEnv; cwd?: string }) => ({
  detached: true, // its own process group (`ip netns exec` replaces itself with the command: pid = group)
  env: opts.env ?? process.env,
  extendEnv: false,
  cwd: opts.cwd,
  reject: false,
  stripFinalNewline: false,
}) satisfies Options;

/** When the command ends, what it left running in its process group goes too. */
function reapGroupOnExit(sub: { pid?: number; once(event: 'exit', fn: () => void): unknown }): void {
  const pid = sub.pid;
  sub.once('exit', () => killGroup(pid, 'SIGKILL'));
}

const toResult = (r: Pick<Result, 'stdout' | 'stderr' | 'exitCode' | 'signal'>): ExecResult => {
  const signal = r.signal as NodeJS.Signals | undefined;
  const code = r.exitCode ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 127);
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), code, signal };
};

const summary = (r: ExecResult) => (r.stderr.trim() || r.stdout.trim() || 'no output').slice(0, 2000);

/**
 * Runs `argv` inside `namespace` and waits for it.
 * Equivalent to: `ip netns exec <namespace> <argv…>`.
 */
export async function execIn(namespace: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const full = nsArgv(namespace, argv);
  const { execa } = await loadExeca();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const sub = execa(full[0]!, full.slice(1), {
    ...baseOptions(opts),
    timeout: timeoutMs,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: graceMs,
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
  });
  reapGroupOnExit(sub);
  const r = await sub;
  const result = toResult(r);
  if (r.timedOut) {
    const how = r.isForcefullyTerminated ? `killed: SIGKILL ${graceMs} ms after SIGTERM` : 'killed';
    throw new ExecError(`${full.join(' ')} did not finish within ${timeoutMs} ms (${how}); output so far: ${summary(result)}`, full, result, { cause: r });
  }
  if (r.failed && r.exitCode === undefined && r.signal === undefined) {
    throw new ExecError(`${full.join(' ')}: could not start: ${r.originalMessage ?? r.shortMessage}`, full, { ...result, code: 127 }, { cause: r });
  }
  if (opts.check && result.code !== 0) throw new ExecError(`${full.join(' ')} exited with code ${result.code}: ${summary(result)}`, full, result, { cause: r });
  return result;
}

/**
 * A long-running process inside a lab namespace (a server, a capture). The lab stops it at
 * teardown; `kill()` stops it earlier.
 */
export class LabProcess {
  /** The process id (the command itself: `ip netns exec` replaces itself with it). */
  readonly pid: number;
  private readonly exited: Promise<ExecResult>;
  private readonly sub: ResultPromise;
  private readonly graceMs: number;
  private readonly out = { stdout: '', stderr: '' };
  private readonly listeners = new Set<() => void>();
  private ended = false;

  /** @internal Use `lab.namespace(id).spawn(argv)`. */
  constructor(
    /** The namespace's kernel name. */
    readonly namespace: string,
    /** The command, as run inside the namespace. */
    readonly argv: readonly string[],
    opts: SpawnOptions = {},
  ) {
    const full = nsArgv(namespace, argv);
    this.graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    const sub = execaNow()(full[0]!, full.slice(1), {
      ...baseOptions(opts),
      stdin: 'ignore',
      buffer: false, // the output is read line by line below
      killSignal: 'SIGTERM',
      forceKillAfterDelay: this.graceMs,
    });
    this.sub = sub;
    reapGroupOnExit(sub);
    this.pid = sub.pid ?? -1;
    const pumps = (['stdout', 'stderr'] as const).map((from) => this.pump(from));
    this.exited = Promise.all([sub, ...pumps]).then(([r]) => {
      this.ended = true;
      const result = toResult({ ...r, stdout: this.out.stdout, stderr: this.out.stderr });
      if (r.failed && r.exitCode === undefined && r.signal === undefined) {
        this.out.stderr += `could not start: ${r.originalMessage ?? r.shortMessage}\n`;
        return { ...result, stderr: this.out.stderr, code: 127 };
      }
      return result;
    }).finally(() => this.notify());
    // The lab owns its lifetime: a forgotten server must not keep the test process alive
    // (the exit handler stops it with the lab). wait() holds the process alive while it waits.
    this.hold(false);
  }

  /** Reads one stream line by line (execa's line iteration), keeping every line and telling waiters. */
  private async pump(from: 'stdout' | 'stderr'): Promise<void> {
    try {
      for await (const line of this.sub.iterable({ from, preserveNewlines: true })) {
        this.out[from] += String(line);
        this.notify();
      }
    } catch {
      // the process failed; wait() reports how
    }
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves when the process has ended on its own, with everything it printed. Never rejects. */
  async wait(): Promise<ExecResult> {
    if (this.ended) return this.exited;
    this.hold(true);
    try {
      return await this.exited;
    } finally {
      this.hold(false);
    }
  }

  /** @internal Like wait(), without keeping this process alive meanwhile. */
  whenEnded(): Promise<ExecResult> {
    return this.exited;
  }

  private hold(ref: boolean): void {
    if (ref) this.sub.ref();
    else this.sub.unref();
    for (const s of [this.sub.stdout, this.sub.stderr]) {
      const h = s as { ref?: () => void; unref?: () => void } | null;
      if (ref) h?.ref?.();
      else h?.unref?.();
    }
  }

  /** Everything printed on stdout so far (complete lines). */
  get stdout(): string {
    return this.out.stdout;
  }

  /** Everything printed on stderr so far (complete lines). */
  get stderr(): string {
    return this.out.stderr;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return !this.ended;
  }

  /**
   * Waits until a line of output matches `pattern` (e.g. a server's "listening" line) and returns
   * the matched text; what was printed before the call counts too. Throws when the process ends
   * first or `timeoutMs` passes.
   */
  waitFor(pattern: string | RegExp, opts: { timeoutMs?: number; stream?: 'stdout' | 'stderr' } = {}): Promise<string> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const text = () => this.out[opts.stream ?? 'stdout'];
    const match = () => {
      const t = text();
      if (typeof pattern === 'string') return t.includes(pattern) ? pattern : undefined;
      return pattern.exec(t)?.[0];
    };
    const seen = () => `stdout: ${this.out.stdout.trim() || '(none)'}; stderr: ${this.out.stderr.trim() || '(none)'}`;
    return new Promise<string>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        fn();
      };
      const check = () => {
        const m = match();
        if (m !== undefined) done(() => resolve(m));
        else if (this.ended) {
          void this.exited.then((r) => done(() => reject(new Error(`${this.describe()} ended (code ${r.code}) before printing ${String(pattern)}; ${seen()}`))));
        }
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.describe()} did not print ${String(pattern)} within ${timeoutMs} ms; ${seen()}`))), timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /**
   * Stops the process: sends it `signal`, and SIGKILL after `graceMs` if it is still running;
   * once it has ended, what it started that still runs in its process group is killed too.
   * Resolves with its output once it has ended.
   */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = this.graceMs): Promise<ExecResult> {
    if (this.ended) return this.exited;
    // execa sends SIGKILL after the grace it was given at spawn, for SIGTERM; any other signal
    // or grace gets a timer of its own.
    const execaForces = signal === 'SIGTERM' && graceMs === this.graceMs;
    this.sub.kill(signal);
    const timer = execaForces ? undefined : setTimeout(() => this.sub.kill('SIGKILL'), graceMs);
    try {
      return await this.wait();
    } finally {
      clearTimeout(timer);
    }
  }

  private describe(): string {
    return `process ${this.pid} (${this.argv.join(' ')}) in namespace ${this.namespace}`;
  }
}
